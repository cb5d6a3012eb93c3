package io.kulp.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the real {@code ulp} launcher that the build left in node-agent/target. */
public final class UlpCli {
  private UlpCli() {}

  public static CommandResult run(Object... args) {
    return runWithEnv(Map.of(), args);
  }

  public static CommandResult runWithEnv(Map<String, String> env, Object... args) {
    List<String> command = new ArrayList<>();
    command.add(Fixtures.ulp().toString());
    for (Object a : args) {
      command.add(a.toString());
    }
    return Commands.run(command, env);
  }

  /** A patch container's path as an argument. */
  public static String patch(String name) {
    return Fixtures.patch(name).toString();
  }
}
