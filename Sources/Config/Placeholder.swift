// The configuration language arrives with issue 2 (in progress).
public enum ConfigModule {}
