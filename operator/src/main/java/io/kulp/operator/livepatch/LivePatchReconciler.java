package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kulp.api.AgentLeases;
import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.LivePatchNodeSpec;
import io.kulp.api.v1alpha1.LivePatchSpec;
import io.kulp.api.v1alpha1.LivePatchStatus;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.RolloutState;
import io.kulp.api.v1alpha1.TargetSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a LivePatch: resolve the targeted nodes, plan the rollout step, write the
 * LivePatchNodes, aggregate their reports into the status. The decisions live in
 * {@link TargetResolver}, {@link RolloutPlanner}, {@link DeletionPlanner},
 * {@link TargetConfirmation} and {@link StatusAggregator}. Nothing is planned while a cache has
 * not synced, a rollout is first declared complete only once a consistent read of the API server
 * confirms its nodes, and a OneShot node is started with the pods such a read shows (the caches
 * lag).
 */
@ControllerConfiguration(name = "livepatch", finalizerName = KulpConstants.FINALIZER_REVERT)
public class LivePatchReconciler implements Reconciler<LivePatch>, Cleaner<LivePatch> {

  /** Safety net for deletions waiting on agents (events normally wake the reconciler first). */
  static final long DELETION_RECHECK_MILLIS = 10_000;
  /** Safety net while the caches catch up (their events normally wake the reconciler first). */
  static final long CACHE_RECHECK_MILLIS = 1_000;
  /** Page size of the informers' initial lists of pods, nodes and namespaces. */
  static final long LIST_PAGE = 500;

  private static final Logger log = LoggerFactory.getLogger(LivePatchReconciler.class);

  private final Clock clock;
  private final EventRecorder events;
  private final UnaryOperator<ClusterCaches> cachesView;
  private final UninstallGuard guard;
  private final LivePatchValidator validator = new LivePatchValidator();
  private final TargetResolver resolver = new TargetResolver();
  private final RolloutPlanner planner = new RolloutPlanner();
  private final DeletionPlanner deletionPlanner = new DeletionPlanner();
  private final StatusAggregator aggregator = new StatusAggregator();
  private InformerEventSource<LivePatchNode, LivePatch> lpnSource;
  private InformerEventSource<Pod, LivePatch> podSource;
  private InformerEventSource<Node, LivePatch> nodeSource;
  private InformerEventSource<Namespace, LivePatch> namespaceSource;
  private InformerEventSource<Lease, LivePatch> leaseSource;
  private final String agentNamespace;
  private ClusterCaches caches;
  private final PodCache podCache = new PodCache();
  private final BoundedFanOut nodeWrites =
      new BoundedFanOut(LivePatchNodeWriter.CONCURRENT_WRITES, "kulp-node-writes");
  /** The consistent reads' threads (a read and its node read; idle ones end after a minute). */
  private final ExecutorService reads = Executors.newCachedThreadPool(BoundedFanOut.daemonThreads("kulp-consistent-read"));

  /**
   * @param agentNamespace where the agents' Leases are ({@link AgentLeases})
   * @param cachesView how the reconciler sees its pod, namespace and node informers: identity in
   *     production; tests wrap them to make them lag
   * @param guard keeps kulp's admission policies while a LivePatch exists
   */
  public LivePatchReconciler(Clock clock, EventRecorder events, String agentNamespace,
      UnaryOperator<ClusterCaches> cachesView, UninstallGuard guard) {
    this.clock = clock;
    this.events = events;
    this.agentNamespace = agentNamespace;
    this.cachesView = cachesView;
    this.guard = guard;
  }

  @Override
  public List<EventSource<?, LivePatch>> prepareEventSources(EventSourceContext<LivePatch> ctx) {
    lpnSource = new InformerEventSource<>(InformerEventSourceConfiguration
        .from(LivePatchNode.class, LivePatch.class)
        .withItemStore(new WithoutManagedFields<>())
        .withSecondaryToPrimaryMapper(lpn -> Set.of(new ResourceID(lpn.getSpec().livePatch)))
        .build(), ctx);
    // Pods: kept as summaries, indexed by label and namespace; an event wakes only the
    // LivePatches it can concern. Nodes and namespaces: name and labels only. Lists are paged.
    podSource = new InformerEventSource<>(InformerEventSourceConfiguration
        .from(Pod.class, LivePatch.class)
        .withName("pod")
        .withItemStore(podCache)
        .withInformerListLimit(LIST_PAGE)
        .withSecondaryToPrimaryMapper(pod -> PodEventTargets.of(pod, ctx.getPrimaryCache().list(),
            this::namespaceLabels, this::hasLivePatchNode))
        .withPrimaryToSecondaryMapper((LivePatch p) -> Set.of())
        .withOnUpdateFilter(ClusterEventFilters::podChangeMatters)
        .build(), ctx);
    nodeSource = everyLivePatch(ctx, Node.class, new LabelsOnlyStore<>(Node::new),
        ClusterEventFilters::labelsChanged);
    namespaceSource = everyLivePatch(ctx, Namespace.class, new LabelsOnlyStore<>(Namespace::new),
        ClusterEventFilters::labelsChanged);
    // Agents' Leases: a new or revived one can start a skipped node; renewals wake nobody.
    leaseSource = new InformerEventSource<>(InformerEventSourceConfiguration
        .from(Lease.class, LivePatch.class)
        .withName("agentlease")
        .withItemStore(new WithoutManagedFields<>())
        .withNamespaces(Set.of(agentNamespace))
        .withLabelSelector(KulpConstants.LABEL_COMPONENT + "=" + AgentLeases.COMPONENT)
        .withSecondaryToPrimaryMapper(r -> ctx.getPrimaryCache().list()
            .map(ResourceID::fromResource).collect(Collectors.toSet()))
        .withPrimaryToSecondaryMapper((LivePatch p) -> Set.of())
        .withOnUpdateFilter(ClusterEventFilters::agentLeaseRevived)
        .build(), ctx);
    caches = cachesView.apply(new InformerCaches(podSource, podCache, namespaceSource, nodeSource));
    return List.of(lpnSource, podSource, nodeSource, namespaceSource, leaseSource);
  }

  /** An informer on {@code type}, kept in {@code store}, whose relevant changes wake every LivePatch. */
  private static <R extends HasMetadata> InformerEventSource<R, LivePatch> everyLivePatch(
      EventSourceContext<LivePatch> ctx, Class<R> type, ItemStore<R> store,
      java.util.function.BiPredicate<R, R> updateMatters) {
    return new InformerEventSource<>(InformerEventSourceConfiguration
        .from(type, LivePatch.class)
        .withName(type.getSimpleName().toLowerCase())
        .withItemStore(store)
        .withInformerListLimit(LIST_PAGE)
        .withSecondaryToPrimaryMapper(r -> ctx.getPrimaryCache().list()
            .map(ResourceID::fromResource).collect(Collectors.toSet()))
        // read through list(), never per primary: no primary-to-secondary index is kept
        .withPrimaryToSecondaryMapper((LivePatch p) -> Set.of())
        .withOnUpdateFilter((newR, oldR) -> updateMatters.test(newR, oldR))
        .build(), ctx);
  }

  @Override
  public UpdateControl<LivePatch> reconcile(LivePatch lp, Context<LivePatch> context) {
    long reconciling = System.nanoTime();
    guard.livePatchExists();
    Instant now = clock.instant();
    LivePatchSpec spec = lp.getSpec();
    List<String> errors = validator.validate(spec);
    if (!errors.isEmpty()) {
      return withStatus(lp, aggregator.invalid(lp, errors, now), context, null);
    }
    String name = lp.getMetadata().getName();
    if (!cachesSynced()) {
      log.info("LivePatch {}: waiting for the caches to sync", name);
      return UpdateControl.<LivePatch>noUpdate().rescheduleAfter(CACHE_RECHECK_MILLIS);
    }
    var view = caches.view(spec.target);
    Map<String, LivePatchNode> existing = existing(context);
    RolloutState stored = lp.getStatus() == null ? null : lp.getStatus().rollout;
    Set<String> liveAgents = liveAgents(now);
    var read = new ApiServerRead(context, spec.target);
    if (existing.isEmpty() && (stored == null || !Objects.equals(stored.digest, Specs.rolloutDigest(spec)))) {
      // Never planned: the API server is read in any case, to start the first OneShot nodes or to
      // confirm a rollout that has none. Its read (seconds for many pods) runs beside the planning.
      read.start();
    }
    SortedMap<String, LivePatchNodeSpec> resolvedFromCaches = resolved(lp, view);
    RolloutPlan fromCaches = plan(lp, resolvedFromCaches, existing, nodeNames(view), liveAgents,
        stored, now);
    // A OneShot node keeps the targets it is started with: take them from the API server, not
    // from a pod cache that may not have delivered every pod on the node yet.
    RolloutPlan planned = Specs.mode(spec) == Mode.OneShot && !fromCaches.toWrite().isEmpty()
        ? plan(lp, resolved(lp, read.get().view()), existing, nodeNames(view), liveAgents, stored, now)
        : fromCaches;
    Optional<RolloutPlan> confirmed = planned.needsConfirmation()
        ? confirm(lp, planned, context, read) : Optional.of(planned);
    if (confirmed.isEmpty()) {
      return UpdateControl.<LivePatch>noUpdate().rescheduleAfter(CACHE_RECHECK_MILLIS);
    }
    RolloutPlan plan = confirmed.get();
    LivePatchNodeWriter writer = new LivePatchNodeWriter(context.getClient(), lpnSource, nodeWrites);
    writer.deleteAll(plan.toDelete());
    long writing = System.nanoTime();
    writer.writeAll(lp, plan.toWrite(), plan.nodeDigest(), existing, now);
    if (!plan.toWrite().isEmpty()) {
      events.normal(lp, KulpConstants.EVENT_NODE_STARTED, "started " + plan.toWrite().size()
          + " node(s): " + String.join(", ", plan.toWrite().keySet()));
      log.info("LivePatch {}: started {} node(s); planned in {} ms{}, written in {} ms", name,
          plan.toWrite().size(), (writing - reconciling) / 1_000_000, read.described(),
          (System.nanoTime() - writing) / 1_000_000);
    }
    var unpatched = UnpatchedSinceComplete.find(Specs.mode(spec), Specs.action(spec), plan,
        resolvedFromCaches, () -> podsOf(view, resolvedFromCaches));
    return withStatus(lp, aggregator.aggregate(lp, plan, unpatched, now), context,
        plan.requeueAfter().map(d -> d.toMillis() + 1).orElse(null));
  }

  /** Node name to the LivePatchNode spec the LivePatch's targets in {@code view} resolve to. */
  private SortedMap<String, LivePatchNodeSpec> resolved(LivePatch lp, TargetResolver.ClusterView view) {
    SortedMap<String, LivePatchNodeSpec> resolved = new TreeMap<>();
    resolver.resolve(lp.getSpec().target, Specs.failuresCountIn(lp.getSpec()), view).forEach((node, pods) ->
        resolved.put(node, Specs.nodeSpec(lp.getMetadata().getName(), lp.getSpec(), node, pods)));
    return resolved;
  }

  /** The pods of {@code resolved}, by "namespace/name", as {@code view} has them. */
  private static Map<String, Pod> podsOf(TargetResolver.ClusterView view,
      SortedMap<String, LivePatchNodeSpec> resolved) {
    Set<String> wanted = resolved.values().stream().flatMap(s -> s.targets.stream())
        .map(t -> t.namespace + "/" + t.name).collect(Collectors.toSet());
    return view.pods().stream()
        .filter(p -> wanted.contains(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()))
        .collect(Collectors.toMap(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(),
            p -> p, (a, b) -> a));
  }

  private RolloutPlan plan(LivePatch lp, SortedMap<String, LivePatchNodeSpec> resolved,
      Map<String, LivePatchNode> existing, Set<String> clusterNodes, Set<String> liveAgents,
      RolloutState stored, Instant now) {
    LivePatchSpec spec = lp.getSpec();
    return planner.plan(new RolloutPlanner.Input(lp.getMetadata().getName(), Specs.rolloutDigest(spec),
        Specs.mode(spec), spec.rollout, resolved, existing, clusterNodes, liveAgents, stored, now));
  }

  /** The nodes {@code written} skips that {@code replaced} did not name as skipped (same rollout). */
  private static List<String> newlySkipped(RolloutState replaced, RolloutState written) {
    List<String> now = written == null || written.skippedNodes == null ? List.of()
        : written.skippedNodes;
    Set<String> before = replaced == null || replaced.skippedNodes == null
        || !Objects.equals(replaced.digest, written.digest) ? Set.of()
        : Set.copyOf(replaced.skippedNodes);
    return now.stream().filter(n -> !before.contains(n)).toList();
  }

  /** The nodes whose agent holds a live Lease at {@code now}, by the cache. */
  private Set<String> liveAgents(Instant now) {
    return AgentLeases.liveNodes(leaseSource.list(), now);
  }

  /** The same, read from the API server: before a decision that a lagging cache must not make. */
  private Set<String> liveAgentsOnServer(Context<LivePatch> context, Instant now) {
    return AgentLeases.liveNodes(context.getClient().resources(Lease.class).inNamespace(agentNamespace)
        .withLabel(KulpConstants.LABEL_COMPONENT, AgentLeases.COMPONENT).list().getItems().stream(), now);
  }

  /**
   * Checks a plan that would complete the rollout against a consistent read of the API server:
   * the plan confirmed by the read (its state records the read's resourceVersion), or empty when
   * the API server has matching pods on nodes the plan does not target.
   */
  private Optional<RolloutPlan> confirm(LivePatch lp, RolloutPlan plan, Context<LivePatch> context,
      ApiServerRead apiServer) {
    var read = apiServer.get();
    if (!TargetConfirmation.confirms(plan,
        resolver.resolve(lp.getSpec().target, read.view()).keySet())) {
      log.info("LivePatch {}: the API server has matching pods on nodes the caches do not show"
          + " yet; not complete, waiting for the caches", lp.getMetadata().getName());
      return Optional.empty();
    }
    if (plan.count(NodeProgress.SKIPPED) > 0 && !TargetConfirmation.confirmsSkipped(plan,
        liveAgentsOnServer(context, clock.instant()))) {
      log.info("LivePatch {}: the API server has live agents on nodes the Lease cache does not show"
          + " yet; not complete, waiting for the cache", lp.getMetadata().getName());
      return Optional.empty();
    }
    return Optional.of(plan.confirmed(read.resourceVersion()));
  }

  @Override
  public DeleteControl cleanup(LivePatch lp, Context<LivePatch> context) {
    guard.livePatchExists();
    if (!cachesSynced()) { // a node missing from the cache would count as gone: no revert
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(CACHE_RECHECK_MILLIS);
    }
    Map<String, LivePatchNode> existing = existing(context);
    LivePatchNodeWriter writer = new LivePatchNodeWriter(context.getClient(), lpnSource, nodeWrites);
    var annotations = lp.getMetadata().getAnnotations();
    if (annotations != null && "true".equals(annotations.get(KulpConstants.ANNOTATION_SKIP_REVERT))) {
      writer.deleteAll(existing.values());
      events.normal(lp, KulpConstants.REASON_DELETING, "deleted without revert ("
          + KulpConstants.ANNOTATION_SKIP_REVERT + ")");
      return goes(lp, context);
    }
    Instant now = clock.instant();
    Duration nodeTimeout = Specs.nodeTimeout(lp.getSpec() == null ? null : lp.getSpec().rollout);
    DeletionPlanner.Plan plan = deletionPlanner.plan(existing, nodeNames(caches.view(null)), liveAgents(now),
        nodeTimeout, now);
    if (plan.finished() && !plan.notReverted().isEmpty()) {
      // Giving up on a node cannot be undone: decide on the Leases the API server has, not the cache's.
      plan = deletionPlanner.plan(existing, nodeNames(caches.view(null)), liveAgentsOnServer(context, now), nodeTimeout,
          now);
    }
    writer.deleteAll(plan.toDelete());
    writer.writeAll(lp, plan.toWrite(), DeletionPlanner.DELETE_DIGEST, existing, now);
    if (!plan.toWrite().isEmpty()) {
      events.normal(lp, KulpConstants.REASON_DELETING, "reverting on " + plan.toWrite().size()
          + " node(s): " + String.join(", ", plan.toWrite().keySet()));
    }
    LivePatchStatus status = aggregator.deleting(lp, plan, existing, now);
    if (!plan.finished()) {
      boolean written = writeStatus(lp, status, context);
      return DeleteControl.noFinalizerRemoval()
          .rescheduleAfter(written ? DELETION_RECHECK_MILLIS : CACHE_RECHECK_MILLIS);
    }
    writer.deleteAll(existing.values());
    if (plan.notReverted().isEmpty()) {
      events.normal(lp, KulpConstants.REASON_DELETING, "every node reported on the revert");
    } else {
      // The object goes now: this status is seen for a moment at most; the Event and the log stay.
      writeStatus(lp, status, context);
      events.warning(lp, KulpConstants.REASON_NOT_REVERTED, status.message);
      log.warn("LivePatch {}: {}", lp.getMetadata().getName(), status.message);
    }
    return goes(lp, context);
  }

  /** Lets the LivePatch go (its finalizer removed), the last one letting kulp's policies go first. */
  private DeleteControl goes(LivePatch lp, Context<LivePatch> context) {
    String name = lp.getMetadata().getName();
    try {
      guard.livePatchGoing(lp.getMetadata().getUid(), context.getPrimaryCache().list()
          .map(cached -> cached.getMetadata().getUid()).collect(Collectors.toSet()));
    } catch (RuntimeException e) {
      log.warn("LivePatch {}: could not let kulp's admission policies go ({}); trying again", name,
          e.toString());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(CACHE_RECHECK_MILLIS);
    }
    return DeleteControl.defaultDelete();
  }

  private Map<String, LivePatchNode> existing(Context<LivePatch> context) {
    return context.getSecondaryResources(LivePatchNode.class).stream()
        .filter(l -> l.getMetadata().getDeletionTimestamp() == null)
        .collect(Collectors.toMap(l -> l.getSpec().nodeName, l -> l, (a, b) -> a, TreeMap::new));
  }

  /** A namespace's labels by the cache; empty when the cache does not have it. */
  private Optional<Map<String, String>> namespaceLabels(String namespace) {
    return namespaceSource.get(new ResourceID(namespace))
        .map(ns -> ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels());
  }

  /** Whether the LivePatch {@code livePatch} has a LivePatchNode for {@code node}, by the cache. */
  private boolean hasLivePatchNode(String livePatch, String node) {
    return lpnSource.get(new ResourceID(LivePatchNodeNames.objectName(livePatch, node))).isPresent();
  }

  private boolean cachesSynced() {
    return caches.synced() && InformerCaches.synced(lpnSource) && InformerCaches.synced(leaseSource);
  }

  private static Set<String> nodeNames(TargetResolver.ClusterView view) {
    return view.nodes().stream().map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
  }

  /**
   * Writes the status when it changed, on the condition that the LivePatch is still the version
   * read ({@link StatusWriter}); once the write succeeded, announces its condition transitions and
   * newly skipped nodes as Events, against the status it replaced. A write that lost to a newer
   * version announces nothing: the reconcile of that version decides again.
   */
  private UpdateControl<LivePatch> withStatus(LivePatch lp, LivePatchStatus status,
      Context<LivePatch> context, Long requeue) {
    if (!writeStatus(lp, status, context)) {
      return UpdateControl.<LivePatch>noUpdate().rescheduleAfter(CACHE_RECHECK_MILLIS);
    }
    UpdateControl<LivePatch> none = UpdateControl.noUpdate();
    return requeue == null ? none : none.rescheduleAfter(requeue);
  }

  /**
   * {@link #withStatus}'s write and Events: true when the status is written or was already so,
   * false when the LivePatch changed since it was read.
   */
  private boolean writeStatus(LivePatch lp, LivePatchStatus status, Context<LivePatch> context) {
    LivePatchStatus old = lp.getStatus();
    if (old != null && Specs.sameJson(old, status)) {
      return true;
    }
    if (StatusWriter.write(lp, status, context).isEmpty()) {
      log.debug("LivePatch {}: changed since it was read; the status is decided again",
          lp.getMetadata().getName());
      return false;
    }
    ConditionTransitions.between(old == null ? null : old.conditions, status.conditions,
        status.message).forEach(t -> {
          if (t.warning()) {
            events.warning(lp, t.reason(), t.message());
          } else {
            events.normal(lp, t.reason(), t.message());
          }
        });
    List<String> skipped = newlySkipped(old == null ? null : old.rollout, status.rollout);
    if (!skipped.isEmpty()) {
      events.warning(lp, KulpConstants.REASON_NODES_SKIPPED, "skipped " + skipped.size()
          + " node(s), " + NodeNotes.NO_AGENT + ": "
          + NodeNotes.names(skipped, StatusAggregator.MAX_NODES_LISTED));
    }
    return true;
  }

  /**
   * The consistent read ({@link ConsistentRead}) of one reconcile: made at most once, when first
   * needed or when started early, and shared by the plan and its confirmation. Pods created after
   * it are not covered, as with any read (docs/api.md).
   */
  private final class ApiServerRead {
    private final Context<LivePatch> context;
    private final TargetSpec target;
    private CompletableFuture<ConsistentRead.Result> read;

    ApiServerRead(Context<LivePatch> context, TargetSpec target) {
      this.context = context;
      this.target = target;
    }

    void start() {
      if (read == null) {
        read = ConsistentRead.start(context.getClient(), target, caches, reads);
      }
    }

    ConsistentRead.Result get() {
      start();
      return ConsistentRead.join(read);
    }

    /** For the log: how long the read took and what it found, if it was made. */
    String described() {
      if (read == null || !read.isDone() || read.isCompletedExceptionally()) {
        return "";
      }
      var done = read.join();
      return " (the API server's consistent read: " + done.took().toMillis() + " ms, "
          + done.view().pods().size() + " pod(s)" + (done.podsFromCache() ? " as cached" : " read whole")
          + ", " + done.view().nodes().size() + " node(s))";
    }
  }
}
