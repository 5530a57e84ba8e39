package dev.wharf.control.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A table printed with aligned columns separated by three spaces, headers in capitals, as
 * {@code docker network ls} does. Built and printed by one command on the CLI's main thread.
 */
final class Table
{
    private static final String GAP = "   ";

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(final String... headers)
    {
        this.columns = headers.length;
        rows.add(headers);
    }

    Table row(final Object... cells)
    {
        if (cells.length != columns)
        {
            throw new IllegalArgumentException("expected " + columns + " cells, got " + cells.length);
        }
        final String[] row = new String[columns];
        for (int i = 0; i < columns; i++)
        {
            row[i] = cells[i] == null || "".equals(cells[i]) ? "-" : String.valueOf(cells[i]);
        }
        rows.add(row);
        return this;
    }

    void print(final PrintWriter out)
    {
        final int[] widths = new int[columns];
        for (final String[] row : rows)
        {
            for (int i = 0; i < columns; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        final StringBuilder line = new StringBuilder();
        for (final String[] row : rows)
        {
            line.setLength(0);
            for (int i = 0; i < columns; i++)
            {
                line.append(row[i]);
                if (i < columns - 1)
                {
                    line.append(" ".repeat(widths[i] - row[i].length())).append(GAP);
                }
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }
}
