package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * A Pod as the pod cache hands it out: read-only, its metadata, spec and status built from a
 * {@link PodSummary} at each call. fabric8's informer lists its whole store at the end of every
 * (re)list and delivers the initial adds from it; as plain Pods (a fabric8 model object allocates
 * every collection it could hold) 150,000 pods would take several hundred MiB at that moment, as
 * these about 100 bytes each. Cached objects are never modified (fabric8 and JOSDK say the same of
 * theirs): the setters of metadata, spec and status throw.
 */
final class SummarizedPod extends Pod {

  private final transient PodSummary summary;

  SummarizedPod(PodSummary summary) {
    this.summary = summary;
  }

  @Override
  public ObjectMeta getMetadata() {
    return summary.metadata();
  }

  @Override
  public PodSpec getSpec() {
    return summary.spec();
  }

  @Override
  public PodStatus getStatus() {
    return summary.status();
  }

  @Override
  public void setMetadata(ObjectMeta metadata) {
    throw new UnsupportedOperationException("a cached pod is read-only");
  }

  @Override
  public void setSpec(PodSpec spec) {
    throw new UnsupportedOperationException("a cached pod is read-only");
  }

  @Override
  public void setStatus(PodStatus status) {
    throw new UnsupportedOperationException("a cached pod is read-only");
  }
}
