package dev.graft.host.pool;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.types.Element;
import com.dylibso.chicory.wasm.types.MutabilityType;

/**
 * What a kept instance's reset puts back besides its memories' bytes (which {@code BudgetedMemory} restores
 * chunk by chunk): the mutable globals, every table's entries and the element segments, as recorded right
 * after instantiation. One per core instance, for modules and for each core instance of a component alike.
 */
public final class InstanceState {

    private final long[] globalLow;
    private final long[] globalHigh;
    private final boolean[] mutableGlobal;
    private final int[] tableSizes;
    private final int[][] tableRefs;
    private final Instance[][] tableOwners;
    private final Element[] elements;

    private InstanceState(long[] globalLow, long[] globalHigh, boolean[] mutableGlobal, int[] tableSizes,
            int[][] tableRefs, Instance[][] tableOwners, Element[] elements) {
        this.globalLow = globalLow;
        this.globalHigh = globalHigh;
        this.mutableGlobal = mutableGlobal;
        this.tableSizes = tableSizes;
        this.tableRefs = tableRefs;
        this.tableOwners = tableOwners;
        this.elements = elements;
    }

    /** Records {@code instance}'s globals, tables and element segments as they are now. */
    public static InstanceState of(Instance instance) {
        int globals = instance.globalCount();
        long[] low = new long[globals];
        long[] high = new long[globals];
        boolean[] mutable = new boolean[globals];
        for (int g = 0; g < globals; g++) {
            GlobalInstance global = instance.global(g);
            mutable[g] = global.getMutabilityType() == MutabilityType.Var;
            low[g] = global.getValueLow();
            high[g] = global.getValueHigh();
        }
        int tables = instance.tableCount();
        int[] sizes = new int[tables];
        int[][] refs = new int[tables][];
        Instance[][] owners = new Instance[tables][];
        for (int t = 0; t < tables; t++) {
            TableInstance table = instance.table(t);
            sizes[t] = table.size();
            refs[t] = new int[sizes[t]];
            owners[t] = new Instance[sizes[t]];
            for (int e = 0; e < sizes[t]; e++) {
                refs[t][e] = table.ref(e);
                owners[t][e] = table.instance(e);
            }
        }
        var elements = new Element[instance.elementCount()];
        for (int e = 0; e < elements.length; e++) {
            elements[e] = instance.element(e);
        }
        return new InstanceState(low, high, mutable, sizes, refs, owners, elements);
    }

    /** Whether every table still has its recorded size (a grown table cannot be reset). */
    public boolean tablesUnchanged(Instance instance) {
        for (int t = 0; t < tableSizes.length; t++) {
            if (instance.table(t).size() != tableSizes[t]) {
                return false;
            }
        }
        return true;
    }

    /** Puts the mutable globals, table entries and element segments back, writing only what changed. */
    public void restore(Instance instance) {
        for (int g = 0; g < globalLow.length; g++) {
            if (mutableGlobal[g]) {
                GlobalInstance global = instance.global(g);
                global.setValueLow(globalLow[g]);
                global.setValueHigh(globalHigh[g]);
            }
        }
        for (int t = 0; t < tableSizes.length; t++) {
            TableInstance table = instance.table(t);
            for (int e = 0; e < tableRefs[t].length; e++) {
                if (table.ref(e) != tableRefs[t][e] || table.instance(e) != tableOwners[t][e]) {
                    table.setRef(e, tableRefs[t][e], tableOwners[t][e]);
                }
            }
        }
        for (int e = 0; e < elements.length; e++) {
            if (instance.element(e) != elements[e]) {
                instance.setElement(e, elements[e]);
            }
        }
    }
}
