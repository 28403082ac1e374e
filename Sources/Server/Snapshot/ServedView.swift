import HostsCore

/// A view from index.json, ready to answer: for each profile it can choose, that profile's content and signature
/// as the view's answer (same bytes and ETag, view headers). A profile not being served has no entry: a client
/// it is chosen for gets a 404, as for the profile itself.
struct ServedView: Sendable {
    let record: ViewRecord
    let content: [String: Representation]
    let signatures: [String: Representation]

    init(_ record: ViewRecord, profiles: [String: PublishedProfile], signatures: [String: Representation]) {
        self.record = record
        var content: [String: Representation] = [:]
        var viewSignatures: [String: Representation] = [:]
        for name in record.profiles {
            if let profile = profiles[name] {
                content[name] = Representation(view: profile.representation, profile: name)
            }
            if let signature = signatures[name] {
                viewSignatures[name] = Representation(view: signature, profile: name)
            }
        }
        self.content = content
        self.signatures = viewSignatures
    }
}
