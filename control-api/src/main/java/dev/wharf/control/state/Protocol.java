package dev.wharf.control.state;

/** The IP protocols published ports and rules name, with their numbers. */
public enum Protocol
{
    /** Matches every protocol (rules only). */
    ANY("any", 0),
    ICMP("icmp", 1),
    TCP("tcp", 6),
    UDP("udp", 17);

    private final String label;
    private final int number;

    Protocol(final String label, final int number)
    {
        this.label = label;
        this.number = number;
    }

    /** The lower-case name the CLI and the API use. */
    public String label()
    {
        return label;
    }

    /** The IP protocol number (0 for any). */
    public int number()
    {
        return number;
    }

    /** True for the protocols with ports. */
    public boolean hasPorts()
    {
        return this == TCP || this == UDP;
    }

    /** The protocol called {@code label}, or null. */
    public static Protocol byLabel(final String label)
    {
        for (final Protocol protocol : values())
        {
            if (protocol.label.equals(label))
            {
                return protocol;
            }
        }
        return null;
    }

    /** The label of a protocol number, or the number itself. */
    public static String labelOf(final int number)
    {
        for (final Protocol protocol : values())
        {
            if (protocol.number == number && protocol != ANY)
            {
                return protocol.label;
            }
        }
        return Integer.toString(number);
    }
}
