package dev.graft.samples.erp.catalog;

import dev.graft.samples.erp.web.ApiProblems;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/products}: the catalog. */
@RestController
@RequestMapping("/api/products")
public class ProductController {

    /** A product to add. */
    public record NewProduct(
            @NotBlank @Size(max = 64) String sku,
            @NotBlank @Size(max = 200) String name,
            @NotBlank @Size(max = 64) String category,
            @NotNull @DecimalMin("0.00") @Digits(integer = 15, fraction = 2) BigDecimal listPrice) {
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

    @PostMapping
    public ResponseEntity<ProductView> create(@Valid @RequestBody NewProduct product) {
        if (products.findBySku(product.sku()).isPresent()) {
            throw ApiProblems.of(HttpStatus.CONFLICT, "Duplicate SKU", "A product with the SKU '" + product.sku() + "' exists already.");
        }
        Product saved = products.save(new Product(null, product.sku(), product.name(), product.category(),
                product.listPrice().setScale(2)));
        return ResponseEntity.created(URI.create("/api/products/" + saved.sku())).body(ProductView.of(saved));
    }
}
