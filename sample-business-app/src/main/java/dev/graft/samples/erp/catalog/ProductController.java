package dev.graft.samples.erp.catalog;

import dev.graft.samples.erp.web.ApiProblems;
import dev.graft.samples.erp.web.PlainText;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/** {@code /api/products}: the catalog. */
@RestController
@RequestMapping("/api/products")
public class ProductController {

    /**
     * A product to add. Everything is checked before anything is written: the SKU's form (it is a path
     * segment of the product's URL), text that every database stores as given, and a list price that is
     * positive and fits the {@code NUMERIC(19, 2)} column with room for quantities (at most 15 integer digits
     * and 2 decimals; an exact decimal, never rounded).
     */
    public record NewProduct(
            @NotBlank @Pattern(regexp = Product.SKU_PATTERN, message = Product.SKU_RULE) String sku,
            @NotBlank @Size(max = 200) @PlainText String name,
            @NotBlank @Size(max = 64) @PlainText String category,
            @NotNull @DecimalMin(value = "0.00", inclusive = false) @Digits(integer = 15, fraction = 2) BigDecimal listPrice) {
    }

    /** A product as the API shows it; money as exact decimal strings. */
    public record ProductView(Long id, String sku, String name, String category, String listPrice) {
        static ProductView of(Product p) {
            return new ProductView(p.id(), p.sku(), p.name(), p.category(), p.listPrice().toPlainString());
        }
    }

    private final ProductRepository products;

    public ProductController(ProductRepository products) {
        this.products = products;
    }

    @GetMapping
    public List<ProductView> list() {
        return products.findAllByOrderBySkuAsc().stream().map(ProductView::of).toList();
    }

    @GetMapping("/{sku}")
    public ProductView get(@PathVariable String sku) {
        return products.findBySku(sku).map(ProductView::of)
                .orElseThrow(() -> ApiProblems.notFound("Unknown product", "No product has the SKU '" + sku + "'."));
    }

    @PostMapping(produces = MediaType.APPLICATION_JSON_VALUE)   // a request that cannot take the answer is refused (406) before it writes
    public ResponseEntity<ProductView> create(@Valid @RequestBody NewProduct product) {
        if (products.findBySku(product.sku()).isPresent()) {
            throw ApiProblems.of(HttpStatus.CONFLICT, "Duplicate SKU", "A product with the SKU '" + product.sku() + "' exists already.");
        }
        URI location = UriComponentsBuilder.fromPath("/api/products/{sku}").buildAndExpand(product.sku()).encode().toUri();
        Product saved = products.save(new Product(null, product.sku(), product.name(), product.category(),
                product.listPrice().setScale(2)));
        return ResponseEntity.created(location).body(ProductView.of(saved));
    }
}
