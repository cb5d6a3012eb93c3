package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.patch.PatchContainer;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineSmokeIT {
  @Test
  void appliesAPatchToARunningProcess() throws Exception {
    try (Engine engine = new Engine(Engine.Options.defaults());
        TargetProgram target = TargetProgram.startPreloaded(Fixtures.fixture("kfix-driver"))) {
      target.await(l -> l.startsWith("ready"));
      assertThat(target.ask("value", "value")).isEqualTo("1");
      List<ProcessResult> r = engine.run(target.pid(), List.of(new Operation.Apply(PatchContainer.read(Fixtures.patch("value_v2")))));
      System.out.println(r);
      assertThat(r.get(0).outcome()).isEqualTo(Outcome.APPLIED);
      assertThat(target.ask("value", "value")).isEqualTo("2");
    }
  }
}
