package io.kulp.agent.work;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.agent.patch.VerifiedPatch;
import io.kulp.api.StagedPatchName;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.engine.AppliedPatch;
import io.kulp.patch.PatchContainer;
import io.kulp.testing.Fixtures;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Decisions from runtime states, with a real packed patch (packed before the integration tests). */
class DesiredStateIT {
  private static final String SHA = "5".repeat(64);
  private static VerifiedPatch v2;
  private static String v2Id;

  @BeforeAll
  static void readPatch() throws Exception {
    PatchContainer c = PatchContainer.read(Fixtures.patch("value_v2"));
    v2 = new VerifiedPatch(SHA, Files.readAllBytes(Fixtures.patch("value_v2")), c);
    v2Id = c.apply().id().hex();
  }

  private static AppliedPatch applied(String id, String library, String path) {
    return new AppliedPatch(id, library, path, Instant.EPOCH, List.of(), List.of());
  }

  @Test
  void applyIsLeftToDoUntilTheRuntimeListsThePatch() {
    DesiredState apply = new DesiredState(Action.Apply, "libkfix.so.1", v2, SHA);

    assertThat(apply.next(List.of()).kind()).isEqualTo(DesiredState.Kind.APPLY);
    assertThat(apply.next(List.of(applied("f".repeat(32), "libkfix.so.1", "/x.so"))).kind())
        .isEqualTo(DesiredState.Kind.APPLY);
    assertThat(apply.next(List.of(applied(v2Id, "libkfix.so.1", "/tmp/.kulp/p.so")))).isNull();
    assertThat(apply.reachedResult()).isEqualTo(ProcessResult.Applied);
  }

  @Test
  void revertTargetsTheAppliedIdAndIsDoneWhenItIsNotApplied() {
    DesiredState revert = new DesiredState(Action.Revert, "libkfix.so.1", v2, SHA);

    assertThat(revert.next(List.of())).isNull();
    assertThat(revert.next(List.of(applied(v2Id, "libkfix.so.1", "/tmp/.kulp/p.so"))))
        .isEqualTo(new DesiredState.Step(DesiredState.Kind.REVERT, v2Id));
    assertThat(revert.reachedResult()).isEqualTo(ProcessResult.Reverted);
  }

  @Test
  void revertWithoutThePatchFileFindsThePatchByItsStagedName() {
    DesiredState revert = new DesiredState(Action.Revert, "libkfix.so.1", null, SHA);
    String staged = "/tmp/.kulp/" + StagedPatchName.of(SHA);

    assertThat(revert.next(List.of(applied("e".repeat(32), "libkfix.so.1", staged))))
        .isEqualTo(new DesiredState.Step(DesiredState.Kind.REVERT, "e".repeat(32)));
    assertThat(revert.next(List.of(applied("e".repeat(32), "libkfix.so.1", "/elsewhere.so")))).isNull();
  }

  @Test
  void revertAllIsLeftToDoWhileAnyPatchOfTheLibraryIsApplied() {
    DesiredState all = new DesiredState(Action.RevertAll, "libkfix.so.1", null, null);

    assertThat(all.next(List.of(applied("a".repeat(32), "libother.so", "/o.so")))).isNull();
    assertThat(all.next(List.of(applied("a".repeat(32), "libkfix.so.1", "/o.so"))).kind())
        .isEqualTo(DesiredState.Kind.REVERT_ALL);
  }
}
