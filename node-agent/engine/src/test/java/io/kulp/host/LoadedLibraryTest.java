package io.kulp.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoadedLibraryTest {
  @Test
  void aLibraryThatFailedToLoadIsTriedAgainAndOnceLoadedIsKept() {
    AtomicInteger loads = new AtomicInteger();
    LoadedLibrary<String> library = new LoadedLibrary<>(() -> {
      if (loads.incrementAndGet() == 1) {
        throw new UnsatisfiedLinkError("libmissing.so: cannot open shared object file");
      }
      return "loaded";
    });

    assertThat(library.get()).as("not installed yet").isNull();
    assertThat(library.get()).as("installed since").isEqualTo("loaded");
    assertThat(library.get()).isEqualTo("loaded");
    assertThat(loads).hasValue(2);
  }
}
