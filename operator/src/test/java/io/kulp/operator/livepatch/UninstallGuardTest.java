package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UninstallGuardTest {

  /** The policies' finalizer as the API server would have it, and the writes asked for. */
  private static final class Policies implements UninstallGuard.Policies {
    boolean finalizer;
    final List<String> writes = new ArrayList<>();
    RuntimeException failNext;

    @Override
    public void hold() {
      write("hold");
      finalizer = true;
    }

    @Override
    public void release() {
      write("release");
      finalizer = false;
    }

    private void write(String what) {
      writes.add(what);
      if (failNext != null) {
        var e = failNext;
        failNext = null;
        throw e;
      }
    }
  }

  private final Policies policies = new Policies();
  private final UninstallGuard guard = new UninstallGuard(policies);

  @Test
  void theFirstLivePatchHoldsThePoliciesOnceHoweverOftenLivePatchesAreReconciled() {
    for (int i = 0; i < 5; i++) {
      guard.livePatchExists();
    }

    assertThat(policies.finalizer).isTrue();
    assertThat(policies.writes).containsExactly("hold");
  }

  @Test
  void aLivePatchGoingWhileOthersExistKeepsThePolicies() {
    guard.livePatchExists();

    guard.livePatchGoing("a", Set.of("a", "b"));

    assertThat(policies.finalizer).isTrue();
    assertThat(policies.writes).containsExactly("hold");
  }

  @Test
  void ofLivePatchesDeletedTogetherTheLastToGoLetsThePoliciesGoThoughTheCacheStillShowsTheOthers() {
    guard.livePatchExists();

    guard.livePatchGoing("a", Set.of("a", "b", "c"));
    guard.livePatchGoing("b", Set.of("a", "b", "c")); // a's removal not yet seen by the cache
    assertThat(policies.finalizer).isTrue();
    guard.livePatchGoing("c", Set.of("b", "c"));

    assertThat(policies.finalizer).isFalse();
  }

  @Test
  void aLivePatchCreatedWhileOthersGoKeepsThePolicies() {
    guard.livePatchExists();

    guard.livePatchGoing("a", Set.of("a", "b"));
    guard.livePatchGoing("b", Set.of("a", "b", "new"));

    assertThat(policies.finalizer).isTrue();
  }

  @Test
  void theLastLivePatchGoingLetsThePoliciesGoAndTheNextOneHoldsThemAgain() {
    guard.livePatchExists();

    guard.livePatchGoing("a", Set.of("a"));
    assertThat(policies.finalizer).isFalse();

    guard.livePatchExists();
    assertThat(policies.finalizer).isTrue();
    assertThat(policies.writes).containsExactly("hold", "release", "hold");
  }

  @Test
  void theLastLivePatchLetsGoEvenWhenThisOperatorNeverHeldThePolicies() {
    policies.finalizer = true; // held by the operator that ran before this one

    guard.livePatchGoing("a", Set.of("a"));

    assertThat(policies.finalizer).isFalse();
  }

  @Test
  void aHoldThatFailsHoldsUpNothingAndIsTriedAgainAtTheNextReconcile() {
    policies.failNext = new IllegalStateException("API server unavailable");

    guard.livePatchExists(); // no exception: the rollout goes on
    assertThat(policies.finalizer).isFalse();

    guard.livePatchExists();
    assertThat(policies.finalizer).isTrue();
    assertThat(policies.writes).containsExactly("hold", "hold");
  }

  @Test
  void aReleaseThatFailsMakesTheLastLivePatchWaitAndIsTriedAgain() {
    guard.livePatchExists();
    policies.failNext = new IllegalStateException("API server unavailable");

    assertThatThrownBy(() -> guard.livePatchGoing("a", Set.of("a"))).hasMessageContaining("unavailable");
    guard.livePatchGoing("a", Set.of("a"));

    assertThat(policies.finalizer).isFalse();
    assertThat(policies.writes).containsExactly("hold", "release", "release");
  }
}
