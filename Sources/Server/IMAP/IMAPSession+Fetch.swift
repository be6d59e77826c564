import Foundation
import IMAPProtocol
import MIME
import MailModel
import NIOCore
import ObjectMail

extension IMAPSession {
    /// What a FETCH could not fully answer: messages another session expunged meanwhile (they still have
    /// their numbers here but nothing to send; Dovecot then answers `OK [EXPUNGEISSUED]`), and BINARY parts
    /// with a Content-Transfer-Encoding that cannot be decoded (NO [UNKNOWN-CTE], RFC 3516 §4.1).
    struct FetchOutcome {
        var skippedExpunged = false
        var decodable = true
    }

    @discardableResult
    func fetch(
        _ set: SequenceSet, attributes requested: [FetchAttribute], changedSince: UInt64?, byUID: Bool,
        user: MailUser
    ) async throws -> FetchOutcome {
        guard var current = selected else { return FetchOutcome() }
        var attributes = requested
        // With QRESYNC every FETCH carries the UID, so the client can apply it without a sequence map.
        if (byUID || qresync) && !attributes.contains(.uid) { attributes.insert(.uid, at: 0) }
        if changedSince != nil || attributes.contains(.modSeq) { enableCondstore() }
        if changedSince != nil && !attributes.contains(.modSeq) { attributes.append(.modSeq) }
        let uids = current.view.uids(in: set, byUID: byUID)
        guard !uids.isEmpty else { return FetchOutcome() }
        let needsBody = attributes.contains { attribute in
            switch attribute {
            case .rfc822, .rfc822Header, .rfc822Text, .bodySection, .binary, .binarySize: true
            default: false
            }
        }
        let setsSeen =
            !current.readOnly
            && attributes.contains { attribute in
                switch attribute {
                case .rfc822, .rfc822Text: true
                case .bodySection(_, _, let peek), .binary(_, _, let peek): !peek
                default: false
                }
            }
        if setsSeen {
            let unseen = uids.filter { current.view.state(of: $0)?.flags.contains(.seen) == false }
            if !unseen.isEmpty {
                let result = try await user.storeFlags(FlagChange(.add, flags: .seen), on: UIDSet(unseen), in: current.mailbox, origin: id)
                current.view.noteOwnChanges(result.changed)
                selected = current
                // The implied FLAGS goes before the data, after a UID, where Dovecot puts it.
                if !attributes.contains(.flags) { attributes.insert(.flags, at: attributes.first == .uid ? 1 : 0) }
            }
        }
        var records = try await user.messages(UIDSet(uids), in: current.mailbox)
        let skippedExpunged = records.count < uids.count
        if let changedSince {
            records = records.filter { (current.view.state(of: $0.uid)?.modSeq ?? $0.modSeq) > Int64(clamping: changedSince) }
        }
        var decodable = true
        if needsBody && Self.needsOnlyTheHeader(attributes) && !Self.needsStructure(attributes) {
            // Header fields alone (what a client lists a folder with): a ranged read of the header, and of the
            // cached fields only where it ends.
            let headers = records.map { try? CachedMessageFields.topLevelHeader(serialized: Array($0.cachedFields)) }
            let lengths = headers.map { $0.flatMap { $0.upperBound > 0 ? $0.upperBound : nil } }
            var written = 0
            for try await (index, record, body) in user.bodies(of: records, prefetch: user.prefetchCount, prefixLengths: lengths) {
                decodable = writeFetch(record, cached: nil, header: headers[index], body: body, attributes: attributes) && decodable
                written += 1
            }
            return FetchOutcome(skippedExpunged: skippedExpunged || written < records.count, decodable: decodable)
        }
        let cached = records.map { try? CachedMessageFields(serialized: Array($0.cachedFields)) }
        if needsBody {
            // Header fields (what a client lists a folder with) need only the header: a ranged read of it.
            let lengths =
                Self.needsOnlyTheHeader(attributes)
                ? cached.map { $0.flatMap { $0.structure.headerLength > 0 ? $0.structure.headerLength : nil } }
                : nil
            var written = 0
            for try await (index, record, body) in user.bodies(of: records, prefetch: user.prefetchCount, prefixLengths: lengths) {
                decodable = writeFetch(record, cached: cached[index], body: body, attributes: attributes) && decodable
                written += 1
            }
            if written < records.count { return FetchOutcome(skippedExpunged: true, decodable: decodable) }
        } else {
            for (record, cached) in zip(records, cached) {
                decodable = writeFetch(record, cached: cached, body: nil, attributes: attributes) && decodable
            }
        }
        return FetchOutcome(skippedExpunged: skippedExpunged, decodable: decodable)
    }

    /// Whether every attribute that reads the message reads only its top-level header.
    static func needsOnlyTheHeader(_ attributes: [FetchAttribute]) -> Bool {
        attributes.allSatisfy { attribute in
            switch attribute {
            case .rfc822, .rfc822Text, .binary, .binarySize: false
            case .bodySection(let spec, _, _): MessageStructure.isTopLevelHeader(bodySection(spec))
            default: true
            }
        }
    }

    /// Whether an attribute needs the message's structure (from the cached fields or a parse), not just its header.
    static func needsStructure(_ attributes: [FetchAttribute]) -> Bool {
        attributes.contains { attribute in
            switch attribute {
            case .envelope, .bodyStructure, .preview, .fuzzyPreview, .rfc822, .rfc822Text, .binary, .binarySize: true
            case .bodySection(let spec, _, _): !MessageStructure.isTopLevelHeader(bodySection(spec))
            default: false
            }
        }
    }

    /// `header`: where the message's header lies in `body`, when only top-level header sections are fetched
    /// (`cached` is nil then, and the structure is neither decoded nor parsed).
    private func writeFetch(
        _ record: MessageSummary, cached: CachedMessageFields?, header: Range<Int>? = nil, body: [UInt8]?,
        attributes: [FetchAttribute]
    ) -> Bool {
        guard let view = selected?.view, let sequence = view.sequence(of: record.uid), let state = view.state(of: record.uid) else { return true }
        var decodable = true
        let structure = cached?.structure ?? (header == nil ? body.map { MessageStructure.parse($0) } : nil)
        var items: [FetchItem] = []
        for attribute in attributes {
            switch attribute {
            case .uid: items.append(.uid(record.uid))
            case .flags:
                items.append(.flags(flagNames(state)))
                if condstore && !attributes.contains(.modSeq) { items.append(.modSeq(UInt64(state.modSeq))) }
            case .internalDate: items.append(.internalDate(Self.localDateTime(record.internalDate)))
            case .rfc822Size: items.append(.rfc822Size(UInt64(record.virtualSize)))
            case .modSeq: items.append(.modSeq(UInt64(state.modSeq)))
            case .envelope: items.append(.envelope(structure?.envelope))
            case .bodyStructure(let extensible):
                if let structure { items.append(.bodyStructure(structure, extensible: extensible)) }
            case .rfc822:
                items.append(.rfc822(section(BodySection(), partial: nil, structure: structure, body: body)))
            case .rfc822Header:
                items.append(.rfc822Header(section(BodySection(specifier: .header), partial: nil, structure: structure, header: header, body: body)))
            case .rfc822Text:
                items.append(.rfc822Text(section(BodySection(specifier: .text), partial: nil, structure: structure, body: body)))
            case .bodySection(let spec, let partial, _):
                let data = section(Self.bodySection(spec), partial: partial, structure: structure, header: header, body: body)
                items.append(.bodySection(spec, origin: partial?.offset, data: data))
            case .binary(let part, let partial, _):
                var data: ByteBuffer?
                if let structure, let body {
                    let range = partial.map { Partial(origin: Int($0.offset), count: Int($0.count)) }
                    do {
                        data = ByteBuffer(bytes: try structure.binarySection(part.map(Int.init), partial: range, in: body))
                    } catch SectionError.unknownTransferEncoding {
                        decodable = false
                    } catch {
                        // A part the message does not have is empty, as in Dovecot.
                        data = ByteBuffer()
                    }
                }
                items.append(.binary(part: part, origin: partial?.offset, data: data))
            case .binarySize(let part):
                if let structure, let body {
                    do {
                        items.append(.binarySize(part: part, UInt64(try structure.binarySize(part.map(Int.init), in: body))))
                    } catch SectionError.unknownTransferEncoding {
                        decodable = false
                    } catch {
                        items.append(.binarySize(part: part, 0))
                    }
                }
            case .saveDate: items.append(.saveDate(Self.localDateTime(record.saveDate)))
            case .preview(let lazy):
                items.append(.preview(Self.preview(cached: cached, structure: structure, body: body, lazy: lazy)))
            case .fuzzyPreview(let name, let lazy):
                // Dovecot 2.3's draft forms (SNIPPET=FUZZY, PREVIEW=FUZZY) carry the same stored text.
                items.append(.fuzzyPreview(name, Self.preview(cached: cached, structure: structure, body: body, lazy: lazy)))
            case .emailID, .threadID: continue
            }
        }
        // `* n FETCH ()` is not valid syntax (RFC 3501 msg-att has at least one item): nothing to say, nothing sent.
        guard !items.isEmpty else { return decodable }
        encoder.writeFetch(sequence: sequence, items, into: &output)
        statistics.noteFetch(items)
        if output.readableBytes > 256 * 1024 { flush() }
        return decodable
    }

    /// Built at save time and kept in the index (RFC 8970), so a preview costs no GET; "" when the message has
    /// no text. LAZY may answer NIL when it would need the body.
    private static func preview(cached: CachedMessageFields?, structure: MessageStructure?, body: [UInt8]?, lazy: Bool) -> String? {
        if let cached { return cached.preview ?? "" }
        if let structure, let body { return structure.preview(in: body) ?? "" }
        return lazy ? nil : ""
    }

    private func section(
        _ section: BodySection, partial: PartialRange?, structure: MessageStructure?, header: Range<Int>? = nil,
        body: [UInt8]?
    ) -> ByteBuffer? {
        guard let body else { return nil }
        let range = partial.map { Partial(origin: Int($0.offset), count: Int($0.count)) }
        // A part the message does not have is an empty string, as in Dovecot.
        if let structure { return ByteBuffer(bytes: (try? structure.section(section, partial: range, in: body)) ?? []) }
        guard let header else { return nil }
        return (try? MessageStructure.topLevelHeaderSection(section, partial: range, header: header, in: body)).map { ByteBuffer(bytes: $0) }
    }

    /// A stored time in the server's local zone, as Dovecot writes INTERNALDATE (imap_to_datetime uses
    /// localtime); SEARCH BEFORE/ON/SINCE compare days in the same zone, so what a client sees and
    /// what it searches agree.
    static func localDateTime(_ seconds: Int64) -> IMAPDateTime {
        let offset = TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return IMAPDateTime(secondsSinceEpoch: seconds, zoneMinutes: offset / 60)
    }

    static func bodySection(_ spec: SectionSpec) -> BodySection {
        let part = spec.part.map(Int.init)
        switch spec.kind {
        case .complete: return BodySection(part: part, specifier: .full)
        case .header: return BodySection(part: part, specifier: .header)
        case .headerFields(let names): return BodySection(part: part, specifier: .headerFields(names))
        case .headerFieldsNot(let names): return BodySection(part: part, specifier: .headerFieldsNot(names))
        case .text: return BodySection(part: part, specifier: .text)
        case .mime: return BodySection(part: part, specifier: .mime)
        }
    }
}
