import Slate

/// Namespace marker for the SlateGPT showcase.
public enum SlateGPTInfo {
    /// The engine version this showcase was built with.
    public static var engineVersion: String { Slate.version }
}
