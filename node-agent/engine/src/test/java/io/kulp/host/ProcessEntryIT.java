package io.kulp.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which /proc entry shows a real process, before and after its main thread exits. */
class ProcessEntryIT {
  private static final Path PROC = Path.of("/proc");

  @Test
  void aProcessIsShownByItsOwnEntryUntilItsMainThreadExitsThenByALiveThreadsEntry() throws Exception {
    try (TargetProgram program = TargetProgram.startPreloaded(Fixtures.fixture("kfix-driver"))) {
      program.await(l -> l.startsWith("ready"));
      Path own = PROC.resolve(Integer.toString(program.pid()));
      assertThat(ProcessEntry.of(PROC, program.pid())).isEqualTo(own);
      assertThat(ProcessEntry.exiting(own, program.pid())).isFalse();

      program.ask("leave", "leave");
      await().until(() -> ProcessEntry.exiting(own, program.pid()));
      Path entry = ProcessEntry.of(PROC, program.pid());

      assertThat(entry).isNotEqualTo(own);
      assertThat(Files.readString(own.resolve("maps"))).isEmpty();
      assertThat(Files.readString(entry.resolve("maps"))).contains("libpulp.so");
      assertThat(Files.readSymbolicLink(entry.resolve("root"))).isEqualTo(Path.of("/"));
      assertThat(program.ask("work 10", "work")).isEqualTo("21"); // the process lives on
    }
  }

  @Test
  void aGoneProcessHasNoEntryAndItsThreadsCountAsExiting() throws Exception {
    TargetProgram program = TargetProgram.startPreloaded(Fixtures.fixture("kfix-driver"));
    program.await(l -> l.startsWith("ready"));
    int pid = program.pid();
    program.close();
    await().until(() -> !Files.exists(PROC.resolve(Integer.toString(pid))));

    assertThat(ProcessEntry.exiting(PROC.resolve(Integer.toString(pid)), pid)).isTrue();
    assertThatThrownBy(() -> ProcessEntry.of(PROC, pid)).isInstanceOf(NoSuchFileException.class);
  }
}
