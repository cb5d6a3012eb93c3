package io.kulp.agent.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kulp.api.Sha256;
import io.kulp.api.v1alpha1.LibrarySpec;
import io.kulp.api.v1alpha1.PatchSource;
import io.kulp.patch.PatchContainer;
import io.kulp.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The patch store on the packed fixture patches (packed before the integration tests). */
class PatchStoreIT {
  @TempDir
  Path cache;

  private final AtomicInteger fetches = new AtomicInteger();

  private PatchBytes serving(Path file) {
    return (source, out) -> {
      fetches.incrementAndGet();
      try {
        Files.copy(file, out);
      } catch (java.io.IOException e) {
        throw new PatchRefused("fetch", e.getMessage());
      }
    };
  }

  private static PatchSource source(String sha256) {
    PatchSource s = new PatchSource();
    s.url = "http://127.0.0.1:1/patch.so";
    s.sha256 = sha256;
    return s;
  }

  private static LibrarySpec library(String name, String buildId) {
    LibrarySpec l = new LibrarySpec();
    l.name = name;
    l.buildID = buildId;
    return l;
  }

  private static String sha(Path file) throws Exception {
    return Sha256.of(Files.readAllBytes(file));
  }

  @Test
  void refusesBytesWhoseSha256DiffersAndCachesNothing() throws Exception {
    PatchStore store = new PatchStore(serving(Fixtures.patch("value_v2")), cache);
    String other = sha(Fixtures.patch("value_v3"));

    assertThatThrownBy(() -> store.get(source(other), library("libkfix.so.1", null)))
        .isInstanceOf(PatchRefused.class).hasMessageContaining("sha256").hasMessageContaining(other)
        .extracting(e -> ((PatchRefused) e).reason()).isEqualTo("sha256");
    try (var files = Files.list(cache)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void fetchesOncePerDigestAndKeepsTheFileUnderItsDigest() throws Exception {
    Path v2 = Fixtures.patch("value_v2");
    PatchStore store = new PatchStore(serving(v2), cache);

    VerifiedPatch first = store.get(source(sha(v2)), library("libkfix.so.1", null));
    VerifiedPatch again = store.get(source(sha(v2)), library("libkfix.so.1", null));
    VerifiedPatch afterRestart = new PatchStore(serving(v2), cache).get(source(sha(v2)), null);

    assertThat(fetches).hasValue(1);
    assertThat(again).isSameAs(first);
    assertThat(first.file()).isEqualTo(cache.resolve(sha(v2) + ".so"));
    assertThat(cache.resolve(sha(v2) + ".so")).hasSameBinaryContentAs(v2);
    assertThat(afterRestart.container().apply().id()).isEqualTo(first.container().apply().id());
  }

  @Test
  void fetchesAgainWhenTheCachedFileIsDamaged() throws Exception {
    Path v2 = Fixtures.patch("value_v2");
    Files.write(cache.resolve(sha(v2) + ".so"), new byte[] {1, 2, 3});

    new PatchStore(serving(v2), cache).get(source(sha(v2)), null);

    assertThat(fetches).hasValue(1);
    assertThat(cache.resolve(sha(v2) + ".so")).hasSameBinaryContentAs(v2);
  }

  @Test
  void refusesAPatchForAnotherLibraryOrBuildThanTheSpecNames() throws Exception {
    Path v2 = Fixtures.patch("value_v2");
    PatchStore store = new PatchStore(serving(v2), cache);
    String buildId = PatchContainer.read(v2).apply().targetBuildId().hex();

    assertThatThrownBy(() -> store.get(source(sha(v2)), library("libcrypto.so.3", null)))
        .hasMessageContaining("it is for libkfix.so.1, but spec.library.name is libcrypto.so.3");
    assertThatThrownBy(() -> store.get(source(sha(v2)), library("libkfix.so.1", "ab".repeat(20))))
        .hasMessageContaining("spec.library.buildID is " + "ab".repeat(20));
    assertThat(store.get(source(sha(v2)), library("libkfix.so.1", buildId))).isNotNull();
  }

  @Test
  void refusesAFileThatIsNotAPatchContainer() throws Exception {
    Path damaged = Fixtures.patch("damaged_truncated");
    PatchStore store = new PatchStore(serving(damaged), cache);

    assertThatThrownBy(() -> store.get(source(sha(damaged)), null)).isInstanceOf(PatchRefused.class)
        .hasMessageStartingWith("patch refused:");
  }

  @Test
  void aSha256ThatIsNotADigestIsRefusedBeforeAnythingIsFetchedOrNamedAfterIt() throws Exception {
    PatchStore store = new PatchStore(serving(Fixtures.patch("value_v2")), cache.resolve("cache"));

    assertThatThrownBy(() -> store.get(source("../" + "a".repeat(61)), null)).isInstanceOf(PatchRefused.class)
        .hasMessageContaining("spec.patch.sha256 is not a sha256 digest")
        .extracting(e -> ((PatchRefused) e).reason()).isEqualTo("sha256");
    assertThat(fetches).hasValue(0);
    try (var files = Files.list(cache)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aCacheFileChangedAfterItWasVerifiedIsFetchedAgain() throws Exception {
    Path v2 = Fixtures.patch("value_v2");
    PatchStore store = new PatchStore(serving(v2), cache);
    store.get(source(sha(v2)), null);
    Files.write(cache.resolve(sha(v2) + ".so"), new byte[] {1, 2, 3});

    VerifiedPatch again = store.get(source(sha(v2)), null);

    assertThat(fetches).hasValue(2);
    assertThat(again.file()).hasSameBinaryContentAs(v2);
  }
}
