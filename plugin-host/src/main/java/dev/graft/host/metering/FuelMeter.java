package dev.graft.host.metering;

import com.dylibso.chicory.runtime.GlobalFactory;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.policy.CostModel;

/**
 * The run-time side of metering for one instance: owns the fuel and reserve globals the pass added,
 * refills them before each call, charges host calls in Java and tells how much a call consumed. As
 * the instance's {@link GlobalFactory} it creates those globals itself, with the call's budget as the
 * fuel's value, so the start function already runs on that budget. One thread at a time, like its
 * instance.
 */
public final class FuelMeter implements GlobalFactory {

    private final String pluginId;
    private final CostModel costs;
    private final int fuelGlobalOrdinal;
    private int created;
    private GlobalInstance fuel;
    private GlobalInstance reserve;
    private long budget;

    /**
     * @param definedGlobals number of globals the rewritten module defines; fuel and reserve are the last two
     * @param budget the fuel of the first call (instantiation included)
     */
    public FuelMeter(String pluginId, CostModel costs, int definedGlobals, long budget) {
        this.pluginId = pluginId;
        this.costs = costs;
        this.fuelGlobalOrdinal = definedGlobals - 2;
        this.budget = budget;
    }

    @Override
    public GlobalInstance create(long low, long high, ValType type, MutabilityType mutability) {
        // Chicory creates the defined globals in order; the pass appended fuel and reserve last.
        int ordinal = created++;
        boolean isFuel = ordinal == fuelGlobalOrdinal;
        GlobalInstance global = new GlobalInstance(isFuel ? budget : low, high, type, mutability);
        if (isFuel) {
            fuel = global;
        } else if (ordinal == fuelGlobalOrdinal + 1) {
            reserve = global;
        }
        return global;
    }

    /** Starts a call with a fresh budget. */
    public void refill(long newBudget) {
        budget = newBudget;
        fuel.setValue(newBudget);
        reserve.setValue(0);
    }

    /** The budget of the current call. */
    public long budget() {
        return budget;
    }

    /** Fuel left; negative once exhausted. */
    public long remaining() {
        return fuel == null ? budget : fuel.getValue() + reserve.getValue();
    }

    /** Fuel consumed in the current call so far (more than the budget once exhausted). */
    public long consumed() {
        return budget - remaining();
    }

    public boolean exhausted() {
        return remaining() < 0;
    }

    /**
     * Charges a host call: the fixed cost plus the per-byte cost of {@code bytes}. The Wasm side wrote
     * its counter to the fuel global before calling out and reloads it after, so charging the global
     * is exact; a negative counter is topped up from the reserve by the Wasm code's next check.
     *
     * @throws PluginFuelExhaustedException when the charge exhausts the budget
     */
    public void chargeHostCall(String function, long bytes) {
        charge(costs.hostCallCost(bytes), function);
    }

    /** Charges the per-byte cost of bytes a host function moved, beyond its fixed cost. */
    public void chargeBytes(String function, long bytes) {
        charge(Math.multiplyExact(bytes, costs.hostCallPerByte()), function);
    }

    private void charge(long units, String function) {
        if (units == 0 || fuel == null) {
            return;
        }
        long counter = fuel.getValue() - units;
        fuel.setValue(counter);
        long left = counter + reserve.getValue();
        if (left < 0) {
            throw new PluginFuelExhaustedException(pluginId, "host function '" + function + "'", budget, budget - left);
        }
    }
}
