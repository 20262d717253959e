package dev.graft.samples.erp.customers;

import dev.graft.api.HostFunction;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;

/**
 * The host function the {@code customer-tier} plugin imports ({@code extism:host/user.erp_customer_tier}):
 * the plugin sends the customer id as UTF-8 text and gets the tier from the database as UTF-8 text, or no
 * bytes for an unknown customer. Raw bytes both ways (not JSON), as the plugin expects.
 */
@Component
public class CustomerTiers {

    private static final byte[] NONE = new byte[0];

    private final CustomerRepository customers;

    public CustomerTiers(CustomerRepository customers) {
        this.customers = customers;
    }

    @HostFunction("erp_customer_tier")
    public byte[] tierOf(byte[] customerId) {
        long id;
        try {
            id = Long.parseLong(new String(customerId, StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
            return NONE;
        }
        return customers.findById(id).map(c -> c.tier().getBytes(StandardCharsets.UTF_8)).orElse(NONE);
    }
}
