package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import org.junit.jupiter.api.Test;

class PtraceTest {
  @Test
  void aBareWaitStatusDecodesAsTheStopItReports() {
    int interrupted = 0x80057f; // PTRACE_EVENT_STOP << 16 | SIGTRAP << 8 | 0x7f
    int signalled = 0x57f; // signal-delivery-stop for SIGTRAP
    int exited = 0;

    assertThat(Ptrace.Stop.stopped(interrupted)).isTrue();
    assertThat(Ptrace.Stop.pendingSignal(interrupted)).isZero();
    assertThat(Ptrace.Stop.pendingSignal(signalled)).isEqualTo(5);
    assertThat(Ptrace.Stop.stopped(exited)).isFalse();
    assertThat(new Ptrace.Stop(interrupted).groupStop()).isFalse();
  }

  @Test
  void aSignalIsFoundOnlyAmongTheQueuedSiginfosCounted() {
    try (Memory queue = new Memory(3L * Ptrace.SIGINFO_SIZE)) {
      queue.clear();
      queue.setInt(0, 10); // SIGUSR1
      queue.setInt(Ptrace.SIGINFO_SIZE, 34); // SIGRTMIN
      queue.setInt(2L * Ptrace.SIGINFO_SIZE, 5); // SIGTRAP, past the count below

      assertThat(Ptrace.contains(queue, 3, 5)).isTrue();
      assertThat(Ptrace.contains(queue, 2, 5)).isFalse();
      assertThat(Ptrace.contains(queue, 2, 34)).isTrue();
    }
  }
}
