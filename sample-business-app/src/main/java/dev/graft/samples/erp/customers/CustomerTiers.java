package dev.graft.samples.erp.customers;

import dev.graft.api.HostFunction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The customer's tier from the database, as two host functions: {@code erp_customer_tier} for the Extism
 * {@code customer-tier} plugin (bytes), and {@code erp.customer.tier-of} for the {@code tier-rust} component
 * (typed: its WIT import {@code erp-customer-tier-of: func(customer-id: string) -> option<string>}).
 */
@Component
public class CustomerTiers {

    private static final byte[] NONE = new byte[0];

    private final CustomerRepository customers;

    public CustomerTiers(CustomerRepository customers) {
        this.customers = customers;
    }

    /**
     * For the Extism {@code customer-tier} plugin ({@code extism:host/user.erp_customer_tier}): the customer id
     * as UTF-8 text in, the tier as UTF-8 text out, or no bytes for an unknown customer. Raw bytes both ways
     * (not JSON), as the plugin expects.
     */
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

    /**
     * For a component (the {@code tier-rust} sample): the typed twin of {@link #tierOf(byte[])}. A component
     * imports it as {@code erp-customer-tier-of: func(customer-id: string) -> option<string>}, the values crossing
     * through the canonical ABI; an unknown customer, or an id that is not a number, has no tier ({@code none}),
     * as the bytes form answers no bytes. Meant for components: an Extism module granted it would get the
     * result as JSON from the application's codec, which has no Jackson module for {@code Optional} and fails
     * the call.
     */
    @HostFunction("erp.customer.tier-of")
    public Optional<String> tierOfCustomer(String customerId) {
        long id;
        try {
            id = Long.parseLong(customerId.trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return customers.findById(id).map(CustomerAccount::tier);
    }
}
