package io.kulp.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Explains a refused ptrace or memory access: the fix depends on why it was refused. */
final class Permissions {
  private Permissions() {}

  static String deniedMessage(int pid) {
    String yama = "";
    try {
      String scope = Files.readString(Path.of("/proc/sys/kernel/yama/ptrace_scope")).trim();
      if (!scope.equals("0")) {
        yama = "; Yama's kernel.yama.ptrace_scope is " + scope
            + " (0 lets a process trace others of the same user, 1 only its descendants, 2 needs CAP_SYS_PTRACE,"
            + " 3 forbids it)";
      }
    } catch (IOException e) {
      // no Yama on this kernel
    }
    return "permission denied for process " + pid + ": kulp needs to ptrace it; run ulp as the process's user or as"
        + " root with CAP_SYS_PTRACE" + yama;
  }
}
