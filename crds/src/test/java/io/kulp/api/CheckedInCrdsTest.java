package io.kulp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** deploy/crds/ must hold exactly what the build generates from the Java types. */
class CheckedInCrdsTest {

  private static final Path REPO = Path.of(System.getProperty("kulp.repoRoot", ".."));

  @Test
  void checkedInCrdsAreIdenticalToTheGeneratedOnes() throws IOException {
    for (String resource : CrdResources.ALL) {
      String generated = read(resource);
      Path checkedIn = REPO.resolve("deploy/crds").resolve(Path.of(resource).getFileName());
      assertThat(checkedIn)
          .as("%s is missing; copy it from crds/target/classes/%s", checkedIn, resource)
          .exists();
      assertThat(Files.readString(checkedIn))
          .as("%s differs from the generated CRD; after changing the API types run: "
              + "cp crds/target/classes/META-INF/fabric8/*.yml deploy/crds/", checkedIn)
          .isEqualTo(generated);
    }
  }

  @Test
  void deployCrdsHoldsNoOtherCrdFiles() throws IOException {
    try (var files = Files.list(REPO.resolve("deploy/crds"))) {
      assertThat(files.map(f -> "META-INF/fabric8/" + f.getFileName()))
          .containsExactlyInAnyOrderElementsOf(CrdResources.ALL);
    }
  }

  private static String read(String resource) throws IOException {
    try (InputStream in = CheckedInCrdsTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as("generated CRD %s on the classpath", resource).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
