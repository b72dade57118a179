namespace Nexa.Hub;

public class HubException(string message) : Exception(message);
