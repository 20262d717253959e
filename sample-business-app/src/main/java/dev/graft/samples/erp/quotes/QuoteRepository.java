package dev.graft.samples.erp.quotes;

import java.util.List;
import org.springframework.data.repository.ListCrudRepository;

public interface QuoteRepository extends ListCrudRepository<Quote, Long> {

    List<Quote> findTop50ByOrderByIdDesc();
}
