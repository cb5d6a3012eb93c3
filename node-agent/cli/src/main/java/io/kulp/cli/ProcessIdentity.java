package io.kulp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who a process is, as far as running a {@code ulp} command goes: its effective user and group,
 * its effective capabilities, no_new_privs, seccomp mode and LSM label (AppArmor, SELinux), and
 * its mount, PID and user namespaces. The resident engine runs a
 * client's command only when the client's identity is its own, so that the command sees the same
 * files, processes and permissions as a {@code ulp} JVM started by the client would; otherwise the
 * client runs it in a JVM of its own. ulp-client.c builds the same text from the same sources.
 */
final class ProcessIdentity {
  private ProcessIdentity() {}

  /** This process's identity, as ulp-client.c writes it. */
  static String ofThisProcess() throws IOException {
    Path self = Path.of("/proc/self");
    String uid = null;
    String gid = null;
    String cap = null;
    String nnp = null;
    String seccomp = null;
    for (String line : Files.readAllLines(self.resolve("status"))) {
      if (line.startsWith("Uid:")) {
        uid = field(line, 2);
      } else if (line.startsWith("Gid:")) {
        gid = field(line, 2);
      } else if (line.startsWith("CapEff:")) {
        cap = field(line, 1);
      } else if (line.startsWith("NoNewPrivs:")) {
        nnp = field(line, 1);
      } else if (line.startsWith("Seccomp:")) {
        seccomp = field(line, 1);
      }
    }
    return "uid=" + uid + " gid=" + gid + " cap=" + cap + " nnp=" + nnp + " seccomp=" + seccomp + " lsm="
        + securityContext(self) + " mnt=" + namespace(self, "mnt") + " pid=" + namespace(self, "pid") + " user="
        + namespace(self, "user");
  }

  /** The LSM's label (AppArmor profile, SELinux context), up to the first NUL or newline; empty without one. */
  private static String securityContext(Path self) {
    try {
      String text = new String(Files.readAllBytes(self.resolve("attr").resolve("current")),
          java.nio.charset.StandardCharsets.UTF_8);
      int end = 0;
      while (end < text.length() && text.charAt(end) != '\0' && text.charAt(end) != '\n' && end < 255) {
        end++;
      }
      return text.substring(0, end);
    } catch (IOException e) {
      return ""; // no LSM here
    }
  }

  /** The n-th whitespace-separated word of a /proc/PID/status line (0 is the name). */
  private static String field(String line, int n) {
    return line.trim().split("\\s+")[n];
  }

  private static String namespace(Path self, String kind) throws IOException {
    return Files.readSymbolicLink(self.resolve("ns").resolve(kind)).toString();
  }
}
