package dev.wharf.nat;

/**
 * Settings of connection tracking and NAT.
 *
 * @param maxFlows       most connections tracked at once (nf_conntrack_max); beyond it new
 *                       connections early-drop an unassured one or are dropped, counted.
 * @param portFirst      first source port masquerade may allocate (inclusive).
 * @param portLast       last source port masquerade may allocate (inclusive).
 */
public record NatConfiguration(int maxFlows, int portFirst, int portLast)
{
    public static final int MAX_FLOWS_DEFAULT = 262_144;

    public NatConfiguration
    {
        if (maxFlows < 1 || maxFlows > ConntrackTable.MAX_CAPACITY)
        {
            throw new IllegalArgumentException("conntrack max must be 1.." + ConntrackTable.MAX_CAPACITY + ": " + maxFlows);
        }
        if (portFirst < 1 || portLast > 65_535 || portFirst > portLast)
        {
            throw new IllegalArgumentException("NAT port range must lie in 1..65535: " + portFirst + "-" + portLast);
        }
    }

    public static NatConfiguration defaults()
    {
        return new NatConfiguration(MAX_FLOWS_DEFAULT, 1_024, 65_535);
    }

    public NatConfiguration withMaxFlows(final int max)
    {
        return new NatConfiguration(max, portFirst, portLast);
    }
}
