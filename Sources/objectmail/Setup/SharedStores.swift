import Config
import Foundation
import ObjectMail
import ObjectStore
import Synchronization

/// Each user's `obox_fs` pipeline: the template is %-expanded for the user, and users whose
/// expansion is the same share one store instance (and so one fscache and its size limit).
final class SharedStores: Sendable {
    /// The setting the template comes from (`obox_fs`, `obox_index_fs`), for error messages.
    let setting: String
    let template: String
    let pipelines: StoragePipelines
    private let stores = Mutex<[String: any ObjectStore]>([:])

    init(setting: String, template: String, pipelines: StoragePipelines) {
        self.setting = setting
        self.template = template
        self.pipelines = pipelines
    }

    func store(for layout: UserLayout) throws -> any ObjectStore {
        let variables = VariableExpander.forUser(layout.user, home: layout.home)
        let expanded = try pipelines.expand(setting, template: template, variables: variables)
        return try stores.withLock { stores in
            if let store = stores[expanded] { return store }
            let store = try pipelines.makeStore(setting, pipeline: expanded)
            stores[expanded] = store
            return store
        }
    }
}
