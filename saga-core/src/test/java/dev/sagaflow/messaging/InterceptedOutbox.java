package dev.sagaflow.messaging;

import dev.sagaflow.store.OutboxStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/** An {@link OutboxStore} whose calls go through an interceptor first: for injecting store faults in tests. */
public final class InterceptedOutbox {
    /** Decides a call: return {@code proceed.call()} to pass it on, or throw, wait, change the result. */
    @FunctionalInterface
    public interface Interceptor {
        Object intercept(String method, Object[] args, Call proceed) throws Throwable;
    }

    /** The call passed on to the real store. */
    @FunctionalInterface
    public interface Call {
        Object call() throws Throwable;
    }

    private InterceptedOutbox() {
    }

    public static OutboxStore of(OutboxStore store, Interceptor interceptor) {
        return (OutboxStore) Proxy.newProxyInstance(OutboxStore.class.getClassLoader(), new Class<?>[] {OutboxStore.class},
                (proxy, method, args) -> interceptor.intercept(method.getName(), args, () -> invoke(store, method, args)));
    }

    private static Object invoke(OutboxStore store, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(store, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
