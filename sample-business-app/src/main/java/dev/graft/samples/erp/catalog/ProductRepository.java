package dev.graft.samples.erp.catalog;

import java.util.List;
import java.util.Optional;
import org.springframework.data.repository.ListCrudRepository;

public interface ProductRepository extends ListCrudRepository<Product, Long> {

    Optional<Product> findBySku(String sku);

    List<Product> findAllByOrderBySkuAsc();
}
