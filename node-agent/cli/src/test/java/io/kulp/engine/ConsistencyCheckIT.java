package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kulp.patch.PatchContainer;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consistency check of a patch packed with {@code --consistent}, on the system's own libz: a
 * patch of {@code gzread} is held back while a thread sleeps deep inside the original gzread (in
 * read(2), called by libz's own gz_load: gzread is on its stack, found by unwinding it with libz's
 * {@code .eh_frame}), and applied as soon as that thread has left.
 */
class ConsistencyCheckIT {
  private static final String PATCH = "unprepared/zlib_gzread_consistent";
  private TargetProgram program;

  @AfterEach
  void stop() {
    if (program != null) {
      program.close();
    }
  }

  private TargetProgram start() throws IOException {
    program = TargetProgram.startPreloaded(Fixtures.fixture("kfix-plain"));
    program.await(l -> l.startsWith("ready"));
    return program;
  }

  private static PtraceEngine engine(Duration timeout) {
    return new PtraceEngine(PtraceEngine.Options.defaults().withTimeout(timeout));
  }

  private static Operation apply() throws Exception {
    return new Operation.Apply(PatchContainer.read(Fixtures.patch(PATCH)));
  }

  private static Operation revert() throws Exception {
    PatchContainer c = PatchContainer.read(Fixtures.patch(PATCH));
    return new Operation.Revert(c.apply().id(), c.path().getFileName().toString());
  }

  private String gzread() throws IOException {
    return program.ask("gzread", "gzread");
  }

  @Test
  void thePatchWaitsWhileAThreadIsInsideTheReplacedFunctionAndIsAppliedOnceItHasLeft() throws Exception {
    start();
    assertThat(gzread()).isEqualTo("1");
    assertThat(program.ask("gzpark", "gzpark")).as("a thread sleeps inside the system's gzread").isEqualTo("1");
    try (PtraceEngine engine = engine(Duration.ofSeconds(20))) {
      Operation apply = apply();
      CompletableFuture<OperationResult> applying =
          CompletableFuture.supplyAsync(() -> engine.run(program.pid(), List.of(apply)).get(0));
      await("the patch is held back while the thread is inside gzread").during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(3)).until(() -> !applying.isDone());
      assertThat(gzread()).as("not applied meanwhile").isEqualTo("1");

      assertThat(program.ask("gzunpark", "gzunpark")).as("the thread left the original gzread, with its result")
          .isEqualTo("1");
      OperationResult result = applying.get();
      assertThat(result.outcome()).as(result.message()).isEqualTo(Outcome.APPLIED);
      assertThat(gzread()).isEqualTo("-42");

      OperationResult reverted = engine.run(program.pid(), List.of(revert())).get(0);
      assertThat(reverted.outcome()).as("reverting it needs the check too, and passes it: " + reverted.message())
          .isEqualTo(Outcome.REVERTED);
      assertThat(gzread()).isEqualTo("1");
    }
  }

  @Test
  void aThreadThatNeverLeavesMakesThePatchFailNamingItAndNothingChanges() throws Exception {
    start();
    assertThat(program.ask("gzpark", "gzpark")).isEqualTo("1");
    try (PtraceEngine engine = engine(Duration.ofSeconds(2))) {
      OperationResult result = engine.run(program.pid(), List.of(apply())).get(0);
      assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(result.message()).contains("consistency check: thread ").contains("will return into (frame ")
          .contains("nothing was changed");
      assertThat(engine.read(program.pid()).patches()).isEmpty();
    }
    assertThat(gzread()).as("the original gzread still runs").isEqualTo("1");
    assertThat(program.ask("gzunpark", "gzunpark")).as("and the thread returns from it").isEqualTo("1");
  }
}
