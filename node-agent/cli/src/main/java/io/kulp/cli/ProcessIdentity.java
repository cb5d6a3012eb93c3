package io.kulp.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who a process is, as far as running a {@code ulp} command goes: its users and groups, its
 * effective capabilities, no_new_privs, seccomp mode and LSM label (AppArmor, SELinux), and its
 * mount, PID and user namespaces, all read from its /proc directory. The resident engine runs a
 * client's command only when the client, found through the socket's peer credentials, has the
 * daemon's own identity: the command then sees the same files, processes and permissions as a
 * {@code ulp} JVM started by the client would. ulp-client.c makes the same comparison the other way.
 */
final class ProcessIdentity {
  private ProcessIdentity() {}

  /** The identity of the process whose /proc directory is {@code proc}; throws if it cannot be read (it is gone). */
  static String of(Path proc) throws IOException {
    String uid = "";
    String gid = "";
    String groups = "";
    String cap = "";
    String nnp = "";
    String seccomp = "";
    for (String line : Files.readAllLines(proc.resolve("status"))) {
      String value = line.substring(line.indexOf(':') + 1).trim().replace('\t', ' ');
      if (line.startsWith("Uid:")) {
        uid = value;
      } else if (line.startsWith("Gid:")) {
        gid = value;
      } else if (line.startsWith("Groups:")) {
        groups = value;
      } else if (line.startsWith("CapEff:")) {
        cap = value;
      } else if (line.startsWith("NoNewPrivs:")) {
        nnp = value;
      } else if (line.startsWith("Seccomp:")) {
        seccomp = value;
      }
    }
    return "uid=" + uid + " gid=" + gid + " groups=" + groups + " cap=" + cap + " nnp=" + nnp + " seccomp=" + seccomp
        + " lsm=" + securityContext(proc) + " mnt=" + namespace(proc, "mnt") + " pid=" + namespace(proc, "pid")
        + " user=" + namespace(proc, "user");
  }

  /** The LSM's label (AppArmor profile, SELinux context) up to a NUL or newline; empty without one. */
  private static String securityContext(Path proc) {
    try {
      String text = new String(Files.readAllBytes(proc.resolve("attr").resolve("current")), StandardCharsets.UTF_8);
      int end = 0;
      while (end < text.length() && text.charAt(end) != '\0' && text.charAt(end) != '\n') {
        end++;
      }
      return text.substring(0, end);
    } catch (IOException e) {
      return ""; // no LSM here
    }
  }

  private static String namespace(Path proc, String kind) throws IOException {
    return Files.readSymbolicLink(proc.resolve("ns").resolve(kind)).toString();
  }

  /** The process's start time (field 22 of /proc/PID/stat): tells it from a later process with its PID. */
  static String startTime(Path proc) throws IOException {
    String stat = Files.readString(proc.resolve("stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return fields[19]; // fields after "(comm) " start at field 3
  }
}
