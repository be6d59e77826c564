/// The task executor the current session prefers (its connection's event loop), for the tasks it
/// starts without structure.
///
/// A task executor preference (SE-0417) passes to child tasks of groups and `async let`, but not to
/// tasks started with `Task { }`: those run on the global pool, and every body a FETCH streams would
/// cross to it and back. The server sets it around a session's task; code below the server (which knows
/// nothing of event loops: the mail store, the fscache) starts such tasks with
/// `Task(executorPreference: PreferredExecutor.current)`; nil outside a session means no preference.
///
/// A module of its own because it is a scheduling idea, not a storage one: the server and both storage
/// layers that start tasks for a session (ObjectMail, FSCache) use it, and none of them is below the others.
public enum PreferredExecutor {
    @TaskLocal public static var current: (any TaskExecutor)?
}
