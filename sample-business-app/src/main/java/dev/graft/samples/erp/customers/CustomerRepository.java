package dev.graft.samples.erp.customers;

import java.util.List;
import org.springframework.data.repository.ListCrudRepository;

public interface CustomerRepository extends ListCrudRepository<CustomerAccount, Long> {

    List<CustomerAccount> findAllByOrderByIdAsc();
}
