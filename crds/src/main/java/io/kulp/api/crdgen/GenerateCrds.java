package io.kulp.api.crdgen;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import java.io.File;

/**
 * Build step (exec-maven-plugin, phase process-classes): writes the CRDs of the kulp.io types into
 * the directory given as the only argument, with fabric8's CRD generator and the same settings as
 * its Maven plugin, plus {@link DeclaredPrinterColumnOrder}. The plugin itself cannot take a
 * post-processor, and sorts printer columns by JSON path. Not packaged in the crds jar.
 */
public final class GenerateCrds {

  private GenerateCrds() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: GenerateCrds <output directory>");
    }
    var info = new CRDGenerator()
        .customResourceClasses(LivePatch.class, LivePatchNode.class)
        .withPostProcessor(new DeclaredPrinterColumnOrder(LivePatch.class, LivePatchNode.class))
        .inOutputDir(new File(args[0]))
        .detailedGenerate();
    info.getCRDDetailsPerNameAndVersion().forEach((name, versions) -> versions.forEach(
        (version, details) -> System.out.println("generated " + details.getFilePath())));
  }
}
