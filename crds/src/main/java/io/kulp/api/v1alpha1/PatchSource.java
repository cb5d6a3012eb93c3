package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.kulp.api.Sha256;

/** Where the patch file (an ELF shared object with .ulp sections) comes from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.configMapRef) != has(self.url)",
    message = "exactly one patch source must be set: configMapRef or url")
public class PatchSource {

  @JsonPropertyDescription("A key of a ConfigMap's binaryData holding the patch file. One of "
      + "configMapRef or url.")
  public ConfigMapKeyReference configMapRef;

  @JsonPropertyDescription("Where to download the patch file: https, or plain http on loopback "
      + "only (tests). One of configMapRef or url.")
  @ValidationRule(value = "self.startsWith('https://') || self.matches('^http://(127\\\\.[0-9.]+|localhost|\\\\[::1\\\\])(:[0-9]+)?(/.*)?$')",
      message = "url must be https://, or http:// on loopback (127.0.0.0/8, localhost, [::1])")
  @Size(max = 2048)
  public String url;

  @JsonPropertyDescription("SHA-256 of the patch file, 64 lowercase hex characters. Required. "
      + "Agents refuse a file whose digest differs; a new value re-rolls the LivePatch.")
  @Required
  @Size(max = Sha256.HEX_LENGTH)
  @ValidationRule(value = "self.matches('^" + Sha256.HEX_REGEX + "$')",
      message = "sha256 must be 64 lowercase hexadecimal characters")
  public String sha256;
}
