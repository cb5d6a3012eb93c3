package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

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
}
