package dev.graft.samples.erp.replay;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/quotes/{id}/replay}: re-runs every recorded rule call of the quote and says, per line and
 * rule, whether output and fuel are identical. Open to whoever may read the quote (anyone, in this app): it
 * changes nothing. A POST because it runs plugins (like {@code recompute}), which a crawler's GET should not.
 */
@RestController
@RequestMapping("/api/quotes")
public class ReplayController {

    private final QuoteReplay replay;

    public ReplayController(QuoteReplay replay) {
        this.replay = replay;
    }

    @PostMapping("/{id}/replay")
    public QuoteReplay.Replay replay(@PathVariable long id) {
        return replay.replay(id);
    }
}
