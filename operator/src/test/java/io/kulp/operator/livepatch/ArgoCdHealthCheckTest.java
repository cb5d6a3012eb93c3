package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kulp.api.v1alpha1.LivePatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * deploy/gitops/argocd/health.lua, run as Argo CD runs a resource health check (the object as the
 * global {@code obj}, a table {status, message} back), on the statuses the operator writes.
 */
class ArgoCdHealthCheckTest {

  private static final Path ARGOCD = Path.of(System.getProperty("kulp.repoRoot", ".."))
      .resolve("deploy/gitops/argocd");

  @ParameterizedTest
  @CsvSource({
      "ROLLING_OUT,                      Progressing",
      "PAUSED,                           Suspended",
      "CANARY_PAUSE,                     Suspended",
      "HALTED,                           Degraded",
      "ROLLING_BACK,                     Progressing",
      "ROLLED_BACK,                      Degraded",
      "COMPLETE,                         Healthy",
      "COMPLETE_WITH_TOLERATED_FAILURES, Degraded",
      "COMPLETE_WITH_SKIPPED_NODES,      Degraded",
      "INVALID,                          Degraded",
  })
  void readsEachSituationOfARolloutAsArgoCdShouldShowIt(StatusScenarios situation, String health)
      throws IOException {
    LivePatch lp = situation.livePatch();

    Map<String, String> result = health(lp);

    assertThat(result).containsEntry("status", health)
        .containsEntry("message", lp.getStatus().message);
  }

  @Test
  void isProgressingUntilTheOperatorWroteAStatus() throws IOException {
    LivePatch lp = StatusScenarios.COMPLETE.livePatch();
    lp.setStatus(null);

    assertThat(health(lp)).containsEntry("status", "Progressing")
        .containsEntry("message", "waiting for the kulp operator");
  }

  @Test
  void isProgressingWhileTheStatusIsForAnOlderGeneration() throws IOException {
    LivePatch lp = StatusScenarios.COMPLETE.livePatch();
    lp.getMetadata().setGeneration(lp.getStatus().observedGeneration + 1);

    assertThat(health(lp)).containsEntry("status", "Progressing")
        .containsEntry("message", "waiting for the kulp operator to observe generation 3");
  }

  @Test
  void theArgoCdConfigMapInstallsExactlyThisScript() throws IOException {
    ConfigMap cm = Serialization.unmarshal(Files.readString(ARGOCD.resolve("argocd-cm.yaml")),
        ConfigMap.class);

    assertThat(cm.getMetadata().getName()).isEqualTo("argocd-cm");
    assertThat(cm.getData()).containsOnlyKeys("resource.customizations.health.kulp.io_LivePatch");
    assertThat(cm.getData().get("resource.customizations.health.kulp.io_LivePatch"))
        .isEqualTo(Files.readString(ARGOCD.resolve("health.lua")));
  }

  /** Runs health.lua on {@code lp} as its JSON reaches Argo CD; returns the table it returns. */
  private static Map<String, String> health(LivePatch lp) throws IOException {
    Globals globals = JsePlatform.standardGlobals();
    JsonNode json = Serialization.jsonMapper().readTree(Serialization.asJson(lp));
    globals.set("obj", lua(json));
    LuaValue hs = globals.load(Files.readString(ARGOCD.resolve("health.lua")), "health.lua").call();
    return Map.of("status", hs.get("status").tojstring(), "message", hs.get("message").tojstring());
  }

  /** JSON as Argo CD hands it to Lua: objects and arrays as tables, numbers, strings, booleans. */
  private static LuaValue lua(JsonNode node) {
    if (node.isObject()) {
      LuaTable t = new LuaTable();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        var e = it.next();
        t.set(e.getKey(), lua(e.getValue()));
      }
      return t;
    }
    if (node.isArray()) {
      LuaTable t = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        t.set(i + 1, lua(node.get(i)));
      }
      return t;
    }
    if (node.isIntegralNumber()) {
      return org.luaj.vm2.LuaInteger.valueOf(node.asLong());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.asDouble());
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.asBoolean());
    }
    return node.isNull() ? LuaValue.NIL : LuaValue.valueOf(node.asText());
  }
}
