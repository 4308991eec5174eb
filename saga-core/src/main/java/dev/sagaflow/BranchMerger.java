package dev.sagaflow;

/**
 * Merges a parallel branch's result into the saga data, when that branch succeeds (see
 * {@link SagaDefinition.Builder#parallel(String, BranchMerger, java.util.function.Consumer)}). Branches finish in
 * any order, so the merger is called once per branch, in the order they finish, with the data as the branches
 * before it left it: write it so that the order does not matter (each branch sets its own part). Called under the
 * saga's lock; must be quick and must not block. Returning {@code null} fails the branch.
 *
 * @param <D> the saga data type
 */
@FunctionalInterface
public interface BranchMerger<D> {
    D merge(D data, String branch, D branchResult) throws Exception;
}
