package dev.wharf.dataplane.graph;

/**
 * A feature module's part of the pipeline (VPP's VNET_FEATURE_INIT): the nodes it puts on the core's
 * {@link FeatureArc}s, with the order they must keep relative to other features' nodes. The daemon
 * passes the features it loads to the dataplane, which asks each one for a fresh set of nodes per
 * worker (a node and its per-packet scratch belong to one worker's thread).
 */
public interface GraphFeature
{
    /** A short name for messages ("nat"). */
    String name();

    /** Adds this feature's nodes for worker {@code worker} to {@code composer}. */
    void contribute(int worker, GraphComposer composer);
}
