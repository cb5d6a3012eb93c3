package io.kulp.agent.work;

import static io.kulp.agent.work.AgentFakes.LIBRARY;
import static io.kulp.agent.work.AgentFakes.SHA;
import static io.kulp.agent.work.AgentFakes.applied;
import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.agent.patch.VerifiedPatch;
import io.kulp.api.StagedPatchName;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.engine.Operation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operation left to make in a process, decided from what its runtime says is applied. */
class DesiredStateTest {
  private static final String V2 = "315c0237c8d877f36c849bc6b096570c";
  private static final VerifiedPatch PATCH = AgentFakes.patch(V2);
  private static final DesiredState.Staging STAGED = () -> "/tmp/.kulp/" + PATCH.stagedName();

  @Test
  void applyIsLeftToDoUntilTheRuntimeListsThePatch() throws Exception {
    DesiredState apply = new DesiredState(Action.Apply, LIBRARY, PATCH, SHA);

    assertThat(apply.next(List.of(), STAGED)).get().isInstanceOfSatisfying(Operation.Apply.class,
        a -> assertThat(a.pathInTarget()).isEqualTo("/tmp/.kulp/kulp-" + SHA + ".so"));
    assertThat(apply.next(List.of(applied("f".repeat(32), LIBRARY, "/x.so")), STAGED)).get()
        .isInstanceOf(Operation.Apply.class);
    assertThat(apply.next(List.of(applied(V2, LIBRARY, "/tmp/.kulp/p.so")), STAGED)).isEmpty();
    assertThat(apply.reachedResult()).isEqualTo(ProcessResult.Applied);
  }

  @Test
  void aProcessThatHasThePatchIsNotStagedInto() throws Exception {
    DesiredState apply = new DesiredState(Action.Apply, LIBRARY, PATCH, SHA);

    assertThat(apply.next(List.of(applied(V2, LIBRARY, "/tmp/.kulp/p.so")), () -> {
      throw new AssertionError("staged although the patch is applied");
    })).isEmpty();
  }

  @Test
  void revertTargetsTheAppliedIdAndIsDoneWhenItIsNotApplied() throws Exception {
    DesiredState revert = new DesiredState(Action.Revert, LIBRARY, PATCH, SHA);

    assertThat(revert.next(List.of(), STAGED)).isEmpty();
    assertThat(revert.next(List.of(applied(V2, LIBRARY, "/tmp/.kulp/p.so")), STAGED)).get()
        .isInstanceOfSatisfying(Operation.Revert.class, r -> assertThat(r.id().hex()).isEqualTo(V2));
    assertThat(revert.reachedResult()).isEqualTo(ProcessResult.Reverted);
  }

  @Test
  void revertWithoutThePatchFileFindsThePatchByItsStagedName() throws Exception {
    DesiredState revert = new DesiredState(Action.Revert, LIBRARY, null, SHA);
    String staged = "/tmp/.kulp/" + StagedPatchName.of(SHA);

    assertThat(revert.next(List.of(applied("e".repeat(32), LIBRARY, staged)), STAGED)).get()
        .isInstanceOfSatisfying(Operation.Revert.class, r -> assertThat(r.id().hex()).isEqualTo("e".repeat(32)));
    assertThat(revert.next(List.of(applied("e".repeat(32), LIBRARY, "/elsewhere.so")), STAGED)).isEmpty();
  }

  @Test
  void revertAllIsLeftToDoWhileAnyPatchOfTheLibraryIsApplied() throws Exception {
    DesiredState all = new DesiredState(Action.RevertAll, LIBRARY, null, null);

    assertThat(all.next(List.of(applied("a".repeat(32), "libother.so", "/o.so")), STAGED)).isEmpty();
    assertThat(all.next(List.of(applied("a".repeat(32), LIBRARY, "/o.so")), STAGED)).get()
        .isEqualTo(new Operation.RevertAll(LIBRARY));
  }
}
