package dev.wharf.dataplane.punt;

import org.agrona.DirectBuffer;

/**
 * A control-plane service that packets are punted to (a DNS server on the gateways, later others), called on
 * the punt thread only: one thread, so a handler needs no locks of its own for what only it touches.
 */
public interface PuntHandler
{
    /**
     * A packet punted by {@code worker}: the message at {@code message} in {@code buffer}, laid out as
     * {@link PuntMessage} says; valid only during the call. Replies go back through {@link PuntChannel#inject}
     * of any worker's channel (usually the same worker's: its ports are everyone's).
     */
    void onPunt(int worker, DirectBuffer buffer, int message, int length);

    /** Background work between punts (an upstream socket to read, timers); bounded per call. @return work done. */
    default int poll(final long nowMs)
    {
        return 0;
    }
}
