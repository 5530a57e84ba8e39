package dev.wharf.control.server;

import java.util.List;

/**
 * A feature that owns dataplane ports lists them for the switch's counter views ({@link SwitchViews}):
 * the user's ports, the uplink, and later a tunnel's ports. Called under the {@link StateTransaction}'s lock.
 */
public interface PortRows
{
    /** A port as listed: its name, its network's, its kind, and its dataplane id or null while it is down. */
    record PortRow(String name, String network, String kind, Integer id)
    {
    }

    /** Appends this feature's ports, in its own order. */
    void addPortRows(List<PortRow> rows);
}
