import Foundation
import MetaCache

/// One node of a THREAD answer: a message, or a placeholder for a message that is referred to
/// but not in the mailbox (rendered as a parenthesised group of its children).
public struct ThreadNode: Sendable, Equatable {
    public var uid: UInt32?
    public var children: [ThreadNode]

    public init(uid: UInt32?, children: [ThreadNode] = []) {
        self.uid = uid
        self.children = children
    }
}

public enum ThreadAlgorithm: String, Sendable, CaseIterable {
    /// RFC 5256: group by base subject, the first message the parent of the rest.
    case orderedSubject = "ORDEREDSUBJECT"
    /// RFC 5256: References/In-Reply-To chains, then threads with the same base subject merged.
    case references = "REFERENCES"
    /// RFC 9251-style REFS: reference chains only, threads ordered by their newest message.
    case refs = "REFS"
}

extension MailUser {
    /// THREAD over the given messages, from the index alone (no GET).
    public func thread(_ uids: [UInt32], in mailbox: Mailbox, algorithm: ThreadAlgorithm) async throws -> [ThreadNode] {
        let messages = try await sortable(uids, in: mailbox)
        switch algorithm {
        case .orderedSubject: return Threader.orderedSubject(messages)
        case .references: return Threader.references(messages, mergeSubjects: true)
        case .refs: return Threader.references(messages, mergeSubjects: false)
        }
    }
}

enum Threader {
    static func orderedSubject(_ messages: [SortableMessage]) -> [ThreadNode] {
        // Base subjects by octets, as SORT compares them.
        let sorted = messages.sorted { a, b in
            if !a.baseSubject.utf8.elementsEqual(b.baseSubject.utf8) { return a.baseSubject.utf8.lexicographicallyPrecedes(b.baseSubject.utf8) }
            return (a.sentDate, a.uid) < (b.sentDate, b.uid)
        }
        var threads: [(date: Int64, uid: UInt32, node: ThreadNode)] = []
        var index = 0
        while index < sorted.count {
            let first = sorted[index]
            var node = ThreadNode(uid: first.uid)
            index += 1
            while index < sorted.count, sorted[index].baseSubject.utf8.elementsEqual(first.baseSubject.utf8) {
                node.children.append(ThreadNode(uid: sorted[index].uid))
                index += 1
            }
            threads.append((first.sentDate, first.uid, node))
        }
        return threads.sorted { ($0.date, $0.uid) < ($1.date, $1.uid) }.map(\.node)
    }

    /// A node while the tree is being built.
    final class Container {
        var message: SortableMessage?
        weak var parent: Container?
        var children: [Container] = []

        init(message: SortableMessage? = nil) { self.message = message }

        func isAncestor(of other: Container) -> Bool {
            var node: Container? = other
            while let current = node {
                if current === self { return true }
                node = current.parent
            }
            return false
        }

        func detach() {
            parent?.children.removeAll { $0 === self }
            parent = nil
        }

        func adopt(_ child: Container) {
            child.detach()
            child.parent = self
            children.append(child)
        }

        /// The date a thread is sorted by: the message's, or for a placeholder its first child's.
        var sortDate: (Int64, UInt32) {
            if let message { return (message.sentDate, message.uid) }
            return children.map(\.sortDate).min { $0 < $1 } ?? (0, 0)
        }

        var newestDate: (Int64, UInt32) {
            let own = message.map { ($0.sentDate, $0.uid) } ?? (Int64.min, 0)
            return children.map(\.newestDate).reduce(own) { $0 > $1 ? $0 : $1 }
        }
    }

    static func references(_ messages: [SortableMessage], mergeSubjects: Bool) -> [ThreadNode] {
        var table: [String: Container] = [:]
        var all: [Container] = []
        func container(for id: String) -> Container {
            if let existing = table[id] { return existing }
            let created = Container()
            table[id] = created
            all.append(created)
            return created
        }
        for message in messages.sorted(by: { $0.uid < $1.uid }) {
            // Step 1A: a missing or duplicate Message-ID makes the message its own container.
            var own: Container
            if let id = message.messageID, table[id]?.message == nil {
                own = container(for: id)
                own.message = message
            } else {
                own = Container(message: message)
                all.append(own)
            }
            // Step 1B: link the references in order, never creating a loop.
            var previous: Container?
            for id in message.references {
                let current = container(for: id)
                if let previous, current.parent == nil, !current.isAncestor(of: previous), current !== previous {
                    previous.adopt(current)
                }
                previous = current
            }
            // Step 1C: the message's parent is the last reference.
            if let parent = previous, parent !== own, !own.isAncestor(of: parent) {
                parent.adopt(own)
            } else if previous != nil {
                own.detach()
            }
        }
        var roots = all.filter { $0.parent == nil }
        roots = prune(roots, atRoot: true)
        // Step 4 sorts the root set by date before step 5 merges by subject: which of two non-replies with the
        // same subject becomes the parent of a reply depends on it (Dovecot picks the earlier one too).
        if mergeSubjects { roots = groupBySubject(roots.sorted { $0.sortDate < $1.sortDate }) }
        let sortedRoots =
            mergeSubjects
            ? roots.sorted { $0.sortDate < $1.sortDate }
            : roots.sorted { $0.newestDate < $1.newestDate }
        return sortedRoots.map(node)
    }

    /// Step 3: drop empty placeholders; promote their children (at the root only when there is one).
    static func prune(_ containers: [Container], atRoot: Bool) -> [Container] {
        var result: [Container] = []
        for container in containers {
            container.children = prune(container.children, atRoot: false)
            for child in container.children { child.parent = container }
            if container.message == nil {
                if container.children.isEmpty { continue }
                if !atRoot || container.children.count == 1 {
                    for child in container.children { child.parent = container.parent }
                    result += container.children
                    continue
                }
            }
            result.append(container)
        }
        return result
    }

    /// Step 5: threads whose roots have the same base subject are merged, as RFC 5256 says.
    static func groupBySubject(_ roots: [Container]) -> [Container] {
        func threadSubject(_ container: Container) -> String? {
            let subject = (container.message ?? container.children.first?.message)?.baseSubject
            return subject?.isEmpty == false ? subject : nil
        }
        func isReply(_ container: Container) -> Bool { container.message?.isReplyOrForward ?? false }

        // 5B: one container per subject, preferring placeholders, then non-replies.
        var table: [String: Container] = [:]
        for root in roots {
            guard let subject = threadSubject(root) else { continue }
            guard let existing = table[subject] else {
                table[subject] = root
                continue
            }
            if existing.message != nil && (root.message == nil || (isReply(existing) && !isReply(root))) {
                table[subject] = root
            }
        }
        // 5C: merge every other root with the same subject into the table's container.
        var result = roots
        for root in roots {
            guard let subject = threadSubject(root), let target = table[subject], target !== root else { continue }
            result.removeAll { $0 === root }
            if target.message == nil && root.message == nil {
                for child in root.children { target.adopt(child) }
            } else if target.message == nil || (isReply(root) && !isReply(target)) {
                target.adopt(root)
            } else {
                let placeholder = Container()
                if let position = result.firstIndex(where: { $0 === target }) { result[position] = placeholder }
                placeholder.adopt(target)
                placeholder.adopt(root)
                table[subject] = placeholder
            }
        }
        return result
    }

    static func node(_ container: Container) -> ThreadNode {
        let children = container.children.sorted { $0.sortDate < $1.sortDate }.map(node)
        return ThreadNode(uid: container.message?.uid, children: children)
    }
}
