package dev.graft.samples.erp.customers;

import dev.graft.samples.erp.web.ApiProblems;
import dev.graft.samples.erp.web.PlainText;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/customers}. */
@RestController
@RequestMapping("/api/customers")
public class CustomerController {

    /** A customer to add or the new state of one. */
    public record CustomerInput(
            @NotBlank @Size(max = 200) @PlainText String name,
            @NotBlank @Pattern(regexp = "(?i)platinum|gold|silver|standard", message = "must be platinum, gold, silver or standard") String tier,
            @NotBlank @Pattern(regexp = "[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?", message = "must be a region such as DE or US-CA") String region) {
    }

    private final CustomerRepository customers;

    public CustomerController(CustomerRepository customers) {
        this.customers = customers;
    }

    @GetMapping
    public List<CustomerAccount> list() {
        return customers.findAllByOrderByIdAsc();
    }

    @GetMapping("/{id}")
    public CustomerAccount get(@PathVariable long id) {
        return customers.findById(id)
                .orElseThrow(() -> ApiProblems.notFound("Unknown customer", "No customer has the id " + id + "."));
    }

    @PostMapping(produces = MediaType.APPLICATION_JSON_VALUE)   // a request that cannot take the answer is refused (406) before it writes
    public ResponseEntity<CustomerAccount> create(@Valid @RequestBody CustomerInput input) {
        CustomerAccount saved = customers.save(new CustomerAccount(null, input.name(),
                input.tier().toLowerCase(Locale.ROOT), input.region().toUpperCase(Locale.ROOT)));
        return ResponseEntity.created(URI.create("/api/customers/" + saved.id())).body(saved);
    }

    /** Changes a customer, for example its tier: the customer-tier plugin reads it at the next pricing. */
    @PutMapping(value = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public CustomerAccount update(@PathVariable long id, @Valid @RequestBody CustomerInput input) {
        get(id);
        return customers.save(new CustomerAccount(id, input.name(), input.tier().toLowerCase(Locale.ROOT),
                input.region().toUpperCase(Locale.ROOT)));
    }
}
