package dev.graft.host.policy;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;

/**
 * A plugin's table: Chicory's table whose entries are charged to the instance's {@link MemoryBudget}
 * at {@link MemoryBudget#TABLE_ENTRY_BYTES} each, initial entries included. Created through
 * {@link #factory(MemoryBudget)}, so it serves compiled and interpreted code alike (both grow a table
 * through {@link TableInstance#grow}).
 *
 * <p>{@code table.grow} returns -1, as the Wasm spec requires, when the growth would break the cap,
 * the table's maximum or the 32-bit size; Chicory 1.7.5 adds the sizes as {@code int}s and fails
 * with {@code NegativeArraySizeException} on {@code table.grow(0x7fffffff)}.
 */
public final class BudgetedTable extends TableInstance {

    private final MemoryBudget budget;

    private BudgetedTable(Table table, int initialValue, MemoryBudget budget) {
        super(charged(table, budget), initialValue);
        this.budget = budget;
    }

    /** The table factory of one instance, charging every table it creates to {@code budget}. */
    public static com.dylibso.chicory.runtime.TableFactory factory(MemoryBudget budget) {
        return (table, initialValue) -> new BudgetedTable(table, initialValue, budget);
    }

    /**
     * Charges the initial entries before the superclass allocates them, and gives the instance its
     * own copy of the limits: Chicory's {@code grow} raises the minimum of the limits object it
     * holds, which is otherwise the parsed module's, shared by every later instance.
     */
    private static Table charged(Table table, MemoryBudget budget) {
        TableLimits declared = table.limits();
        budget.addTableEntries(declared.min(), "a table of " + declared.min() + " initial entries");
        return new Table(table.elementType(), new TableLimits(declared.min(), declared.max(), declared.shared()), table.initialize());
    }

    @Override
    public int grow(int size, int value, Instance instance) {
        // size is an unsigned 32-bit operand: negative here means at least 2^31 entries.
        if (size < 0 || size() + (long) size > limits().max()) {
            return -1;
        }
        if (size > 0 && !budget.tryGrowTable(size)) {
            return -1;
        }
        return super.grow(size, value, instance);
    }
}
