package io.kulp.agent.work;

import io.kulp.api.StatusLimits;
import io.kulp.api.v1alpha1.LivePatchNodeStatus;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.ProcessRecord;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.api.v1alpha1.ProcessSummary;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Turns the outcomes of one LivePatchNode's processes into its status, within the object-size
 * budget of docs/api.md: every process counted in the summary; records for the processes not in
 * the desired state first (Failed, then Skipped), then, while room is left, for the processes in
 * the desired state; at most {@link StatusLimits#MAX_RECORDS}. Skipped and Failed processes that did
 * not fit are counted in {@code recordsOmitted}. Reasons and the message carry text from the
 * containers (paths, library names, the runtime's own messages, read from the process's memory),
 * so they are made printable here, the one place records are built: control and format
 * characters (terminal escape sequences, line breaks, bidirectional overrides, zero-width
 * characters), line and paragraph separators and lone surrogates are written as escapes (a
 * backslash and n, r or t, or u and four hexadecimal digits), and long text is cut.
 * Pure.
 */
public final class StatusBuilder {
  /** Most characters of a LivePatchNode's {@code message}. */
  public static final int MAX_MESSAGE_LENGTH = 1024;

  private static final Comparator<ProcessReport> ORDER = Comparator
      .comparingInt((ProcessReport o) -> rank(o.result()))
      .thenComparing(o -> o.target().namespace())
      .thenComparing(o -> o.target().pod())
      .thenComparing(o -> o.target().container())
      .thenComparingInt(o -> o.target().pid());

  private StatusBuilder() {}

  public static LivePatchNodeStatus build(long generation, NodePhase phase, Collection<ProcessReport> outcomes,
      String message, Instant now) {
    LivePatchNodeStatus status = new LivePatchNodeStatus();
    status.observedGeneration = generation;
    status.phase = phase;
    status.summary = new ProcessSummary();
    for (ProcessReport o : outcomes) {
      status.summary.matched++;
      switch (o.result()) {
        case Applied -> status.summary.applied++;
        case Reverted -> status.summary.reverted++;
        case Skipped -> status.summary.skipped++;
        case Failed -> status.summary.failed++;
      }
    }
    List<ProcessReport> sorted = outcomes.stream().sorted(ORDER).toList();
    int omitted = 0;
    for (ProcessReport o : sorted) {
      if (status.records.size() < StatusLimits.MAX_RECORDS) {
        status.records.add(record(o));
      } else if (rank(o.result()) < 2) {
        omitted++;
      }
    }
    status.recordsOmitted = omitted;
    status.message = message == null ? null : printable(message, MAX_MESSAGE_LENGTH);
    status.lastReportTime = now.toString();
    return status;
  }

  /** Failed first, then Skipped, then the processes in the desired state. */
  private static int rank(ProcessResult result) {
    return switch (result) {
      case Failed -> 0;
      case Skipped -> 1;
      default -> 2;
    };
  }

  private static ProcessRecord record(ProcessReport o) {
    ProcessRecord r = new ProcessRecord();
    ProcessTarget t = o.target();
    r.namespace = t.namespace();
    r.pod = t.pod();
    r.container = t.container();
    r.containerID = t.containerID();
    r.hostPID = (long) t.pid();
    r.startTime = t.process().startTime();
    r.result = o.result();
    if (o.reason() != null && !o.reason().isEmpty()) {
      r.reason = printable(o.reason(), StatusLimits.MAX_REASON_LENGTH);
    }
    return r;
  }

  /**
   * {@code text} with every control or format character and every lone surrogate escaped, cut to
   * at most {@code max} characters (the last one then "…"), never inside an escape or a pair.
   */
  static String printable(String text, int max) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 16);
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int n = Character.charCount(cp);
      String piece = switch (Character.getType(cp)) {
        case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.LINE_SEPARATOR,
            Character.PARAGRAPH_SEPARATOR -> escape(cp);
        default -> text.substring(i, i + n);
      };
      if (out.length() + piece.length() > max - 1 && i + n < text.length()
          || out.length() + piece.length() > max) {
        out.append('…');
        break;
      }
      out.append(piece);
      i += n;
    }
    return out.toString();
  }

  private static String escape(int cp) {
    return switch (cp) {
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      default -> String.format("\\u%04x", cp);
    };
  }
}
