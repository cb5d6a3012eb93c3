package io.kulp.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The release manifest: deploy/release/kulp.yaml is the kustomize base rendered into one file, and
 * the images and the install are versioned together, with the project's version.
 */
class ReleaseManifestIT {
  private static final Path REPO = Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
  private static final Path RELEASE = REPO.resolve("deploy/release/kulp.yaml");

  /** The root pom's version without -SNAPSHOT: what a release of this tree is called. */
  private static String version() throws Exception {
    Matcher m = Pattern.compile("<artifactId>kulp-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(REPO.resolve("pom.xml")));
    assertThat(m.find()).as("the root pom's version").isTrue();
    return m.group(1).replace("-SNAPSHOT", "");
  }

  private static String body(String manifest) {
    return manifest.lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
  }

  @Test
  void theReleaseManifestIsTheKustomizeBaseRenderedNow() throws Exception {
    String rendered = E2EEnvironment.kubectl(REPO, Path.of("/dev/null"), "kustomize", REPO.resolve("deploy").toString());
    assertThat(body(Files.readString(RELEASE)))
        .as("deploy/release/kulp.yaml is stale: run deploy/release/render.sh and commit the result")
        .isEqualTo(body(rendered.endsWith("\n") ? rendered : rendered + "\n"));
  }

  @Test
  void everyImageAndVersionLabelIsTheProjectsVersion() throws Exception {
    String manifest = Files.readString(RELEASE);
    String version = version();
    List<String> images = Pattern.compile("ghcr\\.io/kulp-io/kulp-[a-z]+:[^\\s\"]+").matcher(manifest).results()
        .map(r -> r.group()).distinct().toList();
    assertThat(images).as("the operator, agent and runtime images")
        .containsExactlyInAnyOrder("ghcr.io/kulp-io/kulp-operator:" + version, "ghcr.io/kulp-io/kulp-agent:" + version,
            "ghcr.io/kulp-io/kulp-runtime:" + version);
    List<String> labels = Pattern.compile("app\\.kubernetes\\.io/version: (\\S+)").matcher(manifest).results()
        .map(r -> r.group(1)).distinct().toList();
    assertThat(labels).containsExactly(version);
  }
}
