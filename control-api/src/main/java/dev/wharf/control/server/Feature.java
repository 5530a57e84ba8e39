package dev.wharf.control.server;

import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.SectionKey;
import io.grpc.BindableService;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;

/**
 * One feature of the control plane as the daemon loads it (networks and ports, the uplink, NAT,
 * connection tracking, the switch's views, and later the overlay, the load balancer, DNS): its
 * controllers, the sections of the {@link DesiredState} it owns, its gRPC services and its meters.
 * {@link ControlPlane} assembles the daemon from a list of features and drives each through this
 * interface only, in list order, so a new feature brings these five things and edits no other
 * feature's classes. A feature that depends on another (NAT on networks) is given that feature's
 * controller when it is built and registers its checks with it (a network with published ports
 * cannot be removed), rather than the other knowing it.
 *
 * <p>Controllers change state only through the shared {@link StateTransaction} and name dataplane
 * objects only through the shared {@link IdMap}. Called by the daemon's main thread at start-up
 * ({@link #check}, {@link #restore}), its reconcile thread ({@link #reconcile}) and the metrics scrape.
 */
public interface Feature
{
    /** The sections of the desired state this feature owns, in the order they are read from the state file. */
    default List<SectionKey<?>> sections()
    {
        return List.of();
    }

    /**
     * Checks this feature's part of a saved state with the checks its API makes (names, ranges,
     * overlaps, duplicates, references into earlier features' sections), so that a state file that
     * breaks a rule is refused as a request would be, not restored; throws {@link ControlException}
     * with the API's message. Called once at start-up, before {@link #restore}, for every feature in
     * list order; reads {@code saved} only.
     */
    default void check(final DesiredState saved)
    {
    }

    /**
     * Replays this feature's part of a saved state on the dataplane at start-up, after the features
     * before it in the list; something that cannot come up now (an interface missing) is kept as down
     * for {@link #reconcile} to bring up later.
     */
    default void restore(final DesiredState saved)
    {
    }

    /** Brings what this feature put in the dataplane in line with the host (interfaces that went or came); about once a second. */
    default void reconcile()
    {
    }

    /** The gRPC services of this feature's API. */
    List<BindableService> services();

    /** Registers this feature's meters; they are functions read at scrape time, never touched by the fast path. */
    default void bindMetrics(final MeterRegistry registry)
    {
    }

    /**
     * Brings the meters that follow this feature's configuration (one per load-balancer backend) in line
     * with it, and reads their values: called at the start of every scrape, on the scrape's thread, after
     * {@link #bindMetrics}.
     */
    default void beforeScrape()
    {
    }
}
