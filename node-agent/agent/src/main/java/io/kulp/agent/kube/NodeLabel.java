package io.kulp.agent.kube;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The value of the {@code kulp.io/node} label the operator puts on this node's LivePatchNodes:
 * the node name, or for names longer than a label value may be, "h" and 40 hex digits of its
 * SHA-256. The same rule as the operator's LivePatchNodeNames.labelValue (the agent cannot depend
 * on the operator module); the agent also compares spec.nodeName, as the contract asks.
 */
public final class NodeLabel {
  private static final int MAX_LABEL_VALUE = 63;

  private NodeLabel() {}

  public static String of(String nodeName) {
    if (nodeName.length() <= MAX_LABEL_VALUE) {
      return nodeName;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(nodeName.getBytes(StandardCharsets.UTF_8));
      return "h" + HexFormat.of().formatHex(digest).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
