package io.kulp.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The shared library a patch is for, as it is mapped in the target processes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LibrarySpec {

  @JsonPropertyDescription("Basename of the library file, for example libcrypto.so.3. Required, "
      + "no slash.")
  @Required
  @Pattern("^[^/]+$")
  public String name;

  @JsonPropertyDescription("GNU build-id of the library (lowercase hex of the "
      + ".note.gnu.build-id), to patch only that build. Optional: absent means any build the patch "
      + "accepts.")
  @Pattern("^[0-9a-f]{2,128}$")
  public String buildID;
}
