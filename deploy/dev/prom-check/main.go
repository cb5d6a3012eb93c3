// prom-check: Prometheus's own parsers, for kulp's tests (docs/test-infrastructure.md).
//
//	prom-check metrics CONTENT_TYPE < body   parse a /metrics body as Prometheus's scraper does
//	                                         (model/textparse: text format 0.0.4 or OpenMetrics, by
//	                                         the Content-Type the endpoint answered with); print
//	                                         "family NAME TYPE" per family and "series NAME" per
//	                                         sample; for the text format also "lint NAME: PROBLEM"
//	                                         for every problem promlint (promtool check metrics) finds
//	prom-check promql EXPR...                parse each PromQL expression (promql/parser); print
//	                                         "ok NAME..." with the metric names it selects, "?" for
//	                                         a selector without a fixed name
//
// It exits 1 with the parser's message on the first error.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	if len(os.Args) < 3 {
		fail(errors.New("usage: prom-check metrics CONTENT_TYPE < body | prom-check promql EXPR..."))
	}
	switch os.Args[1] {
	case "metrics":
		body, err := io.ReadAll(os.Stdin)
		if err != nil {
			fail(err)
		}
		fail(metrics(body, os.Args[2]))
	case "promql":
		fail(promql(os.Args[2:]))
	default:
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "prom-check:", err)
		os.Exit(1)
	}
}

func metrics(body []byte, contentType string) error {
	p, err := textparse.New(body, contentType, labels.NewSymbolTable(), textparse.ParserOptions{})
	if err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("no parser for content type %q", contentType)
	}
	for {
		entry, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch entry {
		case textparse.EntryType:
			name, typ := p.Type()
			fmt.Printf("family %s %s\n", name, typ)
		case textparse.EntrySeries, textparse.EntryHistogram:
			var lset labels.Labels
			p.Labels(&lset)
			fmt.Printf("series %s\n", lset.Get(labels.MetricName))
		}
	}
	if !strings.HasPrefix(contentType, "text/plain") {
		return nil
	}
	problems, err := promlint.New(bytes.NewReader(body)).Lint()
	if err != nil {
		return err
	}
	for _, problem := range problems {
		fmt.Printf("lint %s: %s\n", problem.Metric, problem.Text)
	}
	return nil
}

func promql(exprs []string) error {
	p := parser.NewParser(parser.Options{})
	for _, text := range exprs {
		expr, err := p.ParseExpr(text)
		if err != nil {
			return fmt.Errorf("%q: %w", text, err)
		}
		var names []string
		parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
			if vs, ok := node.(*parser.VectorSelector); ok {
				names = append(names, name(vs))
			}
			return nil
		})
		fmt.Println(strings.TrimSpace("ok " + strings.Join(names, " ")))
	}
	return nil
}

func name(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return "?"
}
