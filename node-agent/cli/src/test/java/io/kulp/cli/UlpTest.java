package io.kulp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A `ulp` process builds the command model of the verb it runs only; help still sees them all. */
class UlpTest {

  @Test
  void aRunBuildsOnlyTheVerbsItNames() {
    assertThat(Ulp.commandLine(new String[] {"trigger", "-p", "1", "fix.so"}).getSubcommands())
        .containsOnlyKeys("trigger");
    assertThat(Ulp.commandLine(new String[] {"-p", "1", "check", "fix.so"}).getSubcommands())
        .containsOnlyKeys("check");
  }

  @Test
  void helpAndWordsThatNameNoVerbSeeEveryVerb() {
    int all = Ulp.VERBS.size();
    assertThat(Ulp.commandLine(new String[] {"--help"}).getSubcommands()).hasSize(all);
    assertThat(Ulp.commandLine(new String[] {"help", "trigger"}).getSubcommands()).hasSize(all);
    assertThat(Ulp.commandLine(new String[] {"tirgger"}).getSubcommands()).hasSize(all);
    assertThat(Ulp.commandLine().getSubcommands()).hasSize(all);
  }
}
