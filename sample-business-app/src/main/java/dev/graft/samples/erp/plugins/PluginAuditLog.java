package dev.graft.samples.erp.plugins;

import dev.graft.boot.audit.PluginLifecycleEvent;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Stores every {@link PluginLifecycleEvent} the starter publishes in table {@code plugin_events}: the
 * application's audit trail of the plugin lifecycle, shown on the plugins page.
 */
@Component
public class PluginAuditLog {

    /** One stored event. */
    public record Entry(long id, Instant time, String principal, String pluginId, String action, String sha256,
            String signedBy, String location, String detail) {
    }

    private final JdbcClient jdbc;

    public PluginAuditLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @EventListener
    public void record(PluginLifecycleEvent event) {
        jdbc.sql("""
                INSERT INTO plugin_events (occurred_at, principal, plugin_id, action, sha256, signed_by, location, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(Timestamp.from(event.time()), event.principal(), event.pluginId(), event.action(), event.sha256(),
                        event.signedBy(), truncate(event.location(), 1000), truncate(event.detail(), 4000))
                .update();
    }

    /** The latest events, newest first. */
    public List<Entry> latest(int limit) {
        return jdbc.sql("""
                SELECT id, occurred_at, principal, plugin_id, action, sha256, signed_by, location, detail
                FROM plugin_events ORDER BY id DESC FETCH FIRST ? ROWS ONLY""")
                .param(limit)
                .query((rs, row) -> new Entry(rs.getLong("id"), rs.getTimestamp("occurred_at").toInstant(),
                        rs.getString("principal"), rs.getString("plugin_id"), rs.getString("action"),
                        rs.getString("sha256"), rs.getString("signed_by"), rs.getString("location"),
                        rs.getString("detail")))
                .list();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
